"""The pairings ledger: units on both sides, their pairings, exchanges and mentorships."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aidledger.models import Programme, one_of


class UnitSide(models.TextChoices):
    HELPER = "helper", _("helper side")
    HELPED = "helped", _("helped side")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("municipal department")
    TOWNSHIP = "township", _("township or subdistrict")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    ENTERPRISE = "enterprise", _("enterprise")
    ASSOCIATION = "association", _("association")
    OTHER = "other", _("other")


class Unit(models.Model):
    """An organisation (单位) on the helper side (e.g. 自贡) or the helped side (e.g. 平昌)."""

    Side = UnitSide
    Kind = UnitKind

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="units", verbose_name=_("programme")
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.CharField(
        _("area"), max_length=50, blank=True, help_text=_("The district or county, e.g. 荣县.")
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["side", "kind", "name"]
        constraints = [
            one_of("side", UnitSide, name="unit_side_valid"),
            one_of("kind", UnitKind, name="unit_kind_valid"),
            models.UniqueConstraint(
                fields=["programme", "side", "name"],
                name="unit_name_unique_per_side",
                violation_error_message=_("This side already has a unit of this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        """The side as its place: the programme's helper or helped place (needs programme)."""
        programme = self.programme
        return programme.helper_place if self.side == self.Side.HELPER else programme.helped_place
