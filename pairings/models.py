"""The pairings ledger: units on both sides, their pairings, exchanges and mentorships."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aidledger.models import Body, BodyKind, Member, Programme
from evidence.fields import EvidenceRelation
from ledger import permissions
from ledger.constraints import end_not_before_start, one_of
from ledger.history import LedgerHistory


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

    # A new counterpart unit turns up while entering a record: editors may add one
    # (ledger.permissions); only ledger admins change it once it is shared.
    editors_may_add = True

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="units", verbose_name=_("programme")
    )
    side = models.CharField(_("side"), max_length=10, choices=UnitSide.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.CharField(
        _("area"), max_length=50, blank=True, help_text=_("The district or county, e.g. 荣县.")
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = LedgerHistory()

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

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        # The unit and its pairings' categories change together or not at all.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if not adding:
                # A pairing's category is its helper unit's kind, stored for cheap counts.
                # Saved one by one, not with update(), so each pairing's history records it.
                for pairing in self.helper_pairings.exclude(category=self.kind):
                    pairing.helper = self
                    pairing.save(update_fields=["category", "programme"])

    def get_absolute_url(self) -> str:
        # A unit has no page of its own: its pairings are what a reader wants to see.
        return f"{reverse('pairings')}?unit={self.pk}"

    def clean(self) -> None:
        super().clean()
        if not self.pk:
            return
        before = Unit.objects.filter(pk=self.pk).values("side", "programme_id").first()
        if before is None:
            return
        moved = before["side"] != self.side or before["programme_id"] != self.programme_id
        if moved and (
            Pairing.objects.filter(Q(helper=self) | Q(helped=self)).exists()
            or self.mentorships.exists()
        ):
            raise ValidationError(
                _(
                    "This unit already has pairings or mentorships, so its side and programme "
                    "cannot change; record a new unit instead."
                )
            )


class PairingStatus(models.TextChoices):
    # With a context: a bare "active" (存续) also translated Django's own "active" field of
    # user accounts in the admin, which must read 有效.
    ACTIVE = "active", pgettext_lazy("pairing status", "active")
    ENDED = "ended", _("ended")


SAME_PROGRAMME = _("The two units belong to different programmes.")
PAIRED_WITH_ITSELF = _("A unit cannot be paired with itself.")
ONE_ACTIVE_PAIRING = _(
    "These two units already have an active pairing. End that pairing (status and end date) "
    "before recording a new one."
)
STATUS_AND_END_DATE = _("An ended pairing needs its end date; an active pairing has none.")


def wrong_side_message(*, role: str, place: str) -> str:
    if role == "helper":
        return _("The helper unit must be a unit of %(place)s, the helper side.") % {"place": place}
    return _("The helped unit must be a unit of %(place)s, the helped side.") % {"place": place}


# Between a pairing's two units wherever one is written: "自贡市第一人民医院 — 平昌县人民医院".
# An em dash, the Chinese 连接号 between two places, and in GBK (code page 936): Chinese
# Excel saves a sheet as GBK CSV, where "↔" (our older arrow) became "?" and the pairing no
# longer read back. The import still accepts ↔, <-> and the like (pairings/imports.py).
PAIRING_SEPARATOR = " — "


class Pairing(models.Model):
    """A pairing (结对关系): one helper-side unit tied to one helped-side unit.

    The units' sides live in another table, which a CheckConstraint cannot read: clean() gives
    the clerk's message, and triggers (migration 0003_side_triggers) refuse whatever reaches
    the database another way.
    """

    # The path to the body that keeps it, for the choices an editor may save (ledger.permissions).
    responsible_body_lookup = "responsible_body"

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("programme"),
        editable=False,
        help_text=_("Taken from the helper unit."),
    )
    helper = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="helper_pairings",
        verbose_name=_("helper unit"),
    )
    helped = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="helped_pairings",
        verbose_name=_("helped unit"),
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=UnitKind.choices,
        editable=False,
        help_text=_("The helper unit's kind, set when the pairing is saved."),
    )
    signed_on = models.DateField(_("signed date"))
    agreement = models.CharField(
        _("agreement"),
        max_length=200,
        blank=True,
        help_text=_("The agreement's title, e.g. 乡村治理工作结对帮带协议."),
    )
    responsible_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("responsible working group"),
        limit_choices_to={"kind": BodyKind.WORKING_GROUP},
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PairingStatus.choices, default=PairingStatus.ACTIVE
    )
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory(str_related=("helper", "helped"))

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["category", "helper__name", "pk"]
        constraints = [
            one_of("category", UnitKind, name="pairing_category_valid"),
            one_of("status", PairingStatus, name="pairing_status_valid"),
            models.CheckConstraint(
                condition=~Q(helper=F("helped")),
                name="pairing_two_units",
                violation_error_message=PAIRED_WITH_ITSELF,
            ),
            models.UniqueConstraint(
                fields=["helper", "helped"],
                condition=Q(status=PairingStatus.ACTIVE),
                name="one_active_pairing_per_units",
                violation_error_message=ONE_ACTIVE_PAIRING,
            ),
            models.CheckConstraint(
                condition=Q(status=PairingStatus.ACTIVE, ended_on__isnull=True)
                | Q(status=PairingStatus.ENDED, ended_on__isnull=False),
                name="pairing_ended_has_end_date",
                violation_error_message=STATUS_AND_END_DATE,
            ),
            end_not_before_start(start="signed_on", end="ended_on", name="pairing_dates"),
        ]
        indexes = [
            # The pairings list and the summary count and filter pairings by category.
            models.Index(fields=["category", "status"], name="pairing_category_status"),
        ]

    def __str__(self) -> str:
        # Querysets that list pairings select_related("helper", "helped").
        return f"{self.helper.name}{PAIRING_SEPARATOR}{self.helped.name}"

    def save(self, *args, **kwargs) -> None:
        self.take_from_helper()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pairing-detail", args=[self.pk])

    def take_from_helper(self) -> None:
        """Category and programme are the helper unit's, never typed."""
        if self.helper_id:
            self.category = self.helper.kind
            self.programme_id = self.helper.programme_id

    def clean(self) -> None:
        super().clean()
        self.take_from_helper()
        errors: dict[str, list] = {}
        if self.helper_id and self.helped_id:
            helper, helped = self.helper, self.helped
            if helper.pk == helped.pk:
                errors.setdefault("helped", []).append(PAIRED_WITH_ITSELF)
            elif helper.programme_id != helped.programme_id:
                errors.setdefault("helped", []).append(SAME_PROGRAMME)
            else:
                programme = helper.programme
                if helper.side != UnitSide.HELPER:
                    errors.setdefault("helper", []).append(
                        wrong_side_message(role="helper", place=programme.helper_place)
                    )
                if helped.side != UnitSide.HELPED:
                    errors.setdefault("helped", []).append(
                        wrong_side_message(role="helped", place=programme.helped_place)
                    )
        if self.status == PairingStatus.ENDED and not self.ended_on:
            errors.setdefault("ended_on", []).append(_("Enter the date the pairing ended."))
        if self.status == PairingStatus.ACTIVE and self.ended_on:
            errors.setdefault("ended_on", []).append(
                _("An active pairing has no end date: set the status to ended, or clear the date.")
            )
        if (
            self.responsible_body_id
            and self.helper_id
            and self.responsible_body.batch.programme_id != self.helper.programme_id
        ):
            errors.setdefault("responsible_body", []).append(
                _("The working group belongs to the team of another programme.")
            )
        if errors:
            raise ValidationError(errors)

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its responsible working group (ledger.permissions)."""
        return permissions.ids(self.responsible_body_id)


class ExchangeKind(models.TextChoices):
    VISIT = "visit", _("visit")
    TRAINING = "training", _("training")
    LECTURE = "lecture", _("lecture")
    FREE_CLINIC = "free_clinic", _("free clinic")
    DEMONSTRATION = "demonstration", _("demonstration teaching")
    SEMINAR = "seminar", _("seminar")
    SIGNING = "signing", _("signing ceremony")
    SURVEY = "survey", _("survey")
    OTHER = "other", pgettext_lazy("exchange kind", "other")


NEGATIVE_PARTICIPANTS = _("The number of participants cannot be negative.")
NEGATIVE_TECHNIQUES = _("The number of new techniques cannot be negative.")
NO_PAIRING = _("An exchange must belong to at least one pairing.")


class Exchange(models.Model):
    """An exchange (互动交流): an event held under one or more pairings."""

    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ExchangeKind.choices)
    pairings = models.ManyToManyField(
        Pairing,
        through="ExchangePairing",
        related_name="exchanges",
        verbose_name=_("pairings"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(
        _("participants"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NEGATIVE_PARTICIPANTS)],
        help_text=_("How many people took part; leave empty if not recorded."),
    )
    lead_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="exchanges",
        verbose_name=_("lead body"),
        db_index=False,  # exchange_body_date leads with it
    )
    outcome = models.TextField(_("outcome"), blank=True)
    new_techniques = models.PositiveSmallIntegerField(
        _("new techniques or projects"),
        default=0,
        validators=[MinValueValidator(0, message=NEGATIVE_TECHNIQUES)],
        help_text=_(
            "New techniques or projects introduced through this exchange (引进新技术新项目)."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory()

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["-date", "pk"]
        constraints = [
            one_of("kind", ExchangeKind, name="exchange_kind_valid"),
            models.CheckConstraint(
                condition=Q(participants__gte=0),
                name="exchange_participants_not_negative",
                violation_error_message=NEGATIVE_PARTICIPANTS,
            ),
            models.CheckConstraint(
                condition=Q(new_techniques__gte=0),
                name="exchange_new_techniques_not_negative",
                violation_error_message=NEGATIVE_TECHNIQUES,
            ),
        ]
        indexes = [
            # The exchanges list sorts by date and filters by a date range.
            models.Index(fields=["date"], name="exchange_date"),
            # The exchanges of a batch or lead body in a date range, and their totals
            # (participants, new techniques) from the index alone on PostgreSQL.
            models.Index(
                fields=["lead_body", "date"],
                include=["participants", "new_techniques"],
                name="exchange_body_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("exchange-detail", args=[self.pk])

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its lead body, or, without one, by its pairings' bodies (ledger.permissions)."""
        if self.lead_body_id is not None or self.pk is None:
            return permissions.ids(self.lead_body_id)
        return frozenset(self.pairings.values_list("responsible_body_id", flat=True))


class ExchangePairing(models.Model):
    """One pairing an exchange belongs to (the exchange ↔ pairing link)."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="links", verbose_name=_("exchange")
    )
    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="exchange_links", verbose_name=_("pairing")
    )

    history = LedgerHistory(str_related=("pairing__helper", "pairing__helped"), parent="exchange")

    class Meta:
        verbose_name = _("pairing of an exchange")
        verbose_name_plural = _("pairings of the exchange")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "pairing"],
                name="exchange_pairing_once",
                violation_error_message=_("This exchange is already linked to this pairing."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.pairing)

    def responsible_body_ids(self) -> frozenset[int]:
        """A link between an exchange and a pairing belongs to both: either side's editors may
        make or remove it (on the exchange's page or the pairing's)."""
        exchange = permissions.related(self, "exchange")
        pairing = permissions.related(self, "pairing")
        return (exchange.responsible_body_ids() if exchange else frozenset()) | (
            permissions.ids(pairing.responsible_body_id) if pairing else frozenset()
        )


class Mentorship(models.Model):
    """A one-to-one mentorship (一对一结对帮带): a team member and a cadre of the helped side."""

    mentor = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("mentor")
    )
    mentee_name = models.CharField(_("mentee"), max_length=50)
    mentee_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="mentorships",
        verbose_name=_("mentee's unit"),
    )
    mentee_post = models.CharField(_("mentee's post"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory(str_related=("mentor",))

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["mentor__name", "mentee_name", "pk"]
        constraints = [
            end_not_before_start(start="start_date", end="end_date", name="mentorship_dates"),
            models.UniqueConstraint(
                fields=["mentor", "mentee_unit", "mentee_name"],
                name="mentorship_once_per_mentee",
                violation_error_message=_("This member already mentors this person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.name} → {self.mentee_name}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if not (self.mentor_id and self.mentee_unit_id):
            return
        unit, programme = self.mentee_unit, self.mentee_unit.programme
        if self.mentor.batch.programme_id != unit.programme_id:
            raise ValidationError(
                {
                    "mentor": _(
                        "%(mentor)s is not a member of the team of %(programme)s; choose a "
                        "mentor from that team."
                    )
                    % {"mentor": self.mentor.name, "programme": programme.name}
                }
            )
        if unit.side != UnitSide.HELPED:
            raise ValidationError(
                {
                    "mentee_unit": _(
                        "The mentee's unit must be a unit of %(place)s, the helped side."
                    )
                    % {"place": programme.helped_place}
                }
            )

    @staticmethod
    def started_by(date: datetime.date) -> Q:
        """Mentorships begun on or before `date`: the cadres the team has mentored by then."""
        return Q(start_date__lte=date)

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by the bodies of its mentor (ledger.permissions)."""
        return Member.body_ids(self.mentor_id)


class ExchangeRollup(models.Model):
    """Exchanges by month, kind, lead body and whether one of their pairings is a hospital's:
    the summary's exchanges (by month and kind, hospital visits, new techniques) without
    re-counting every exchange. Kept by database triggers (migration 0007_exchange_rollup_
    triggers) in the transaction of every write; `rebuild_rollups` recounts it."""

    month = models.DateField()
    kind = models.CharField(max_length=20)
    body_id = models.BigIntegerField()  # the lead body (no constraint: a key)
    hospital = models.BooleanField()
    exchanges = models.BigIntegerField(default=0)
    new_techniques = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("exchange roll-up")
        verbose_name_plural = _("exchange roll-ups")
        default_permissions = ()
        constraints = [
            # The triggers' upsert target: one row per key.
            models.UniqueConstraint(
                fields=["month", "kind", "body_id", "hospital"], name="rollup_exchange_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.kind} · {self.body_id} · {self.hospital}"
