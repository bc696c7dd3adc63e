"""The team itself: programme, batches, the "1+1+3" bodies, members and their roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ledger.constraints import end_not_before_start, one_of
from ledger.copy_export import joined_text
from ledger.history import LedgerHistory


class Programme(models.Model):
    """One paired-assistance relation (帮扶关系): a helper place assisting a helped place."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    helper_place = models.CharField(
        _("helper side"), max_length=50, help_text=_("For example 自贡市.")
    )
    helped_place = models.CharField(
        _("helped side"), max_length=50, help_text=_("For example 平昌县.")
    )
    plan_start = models.DateField(_("plan starts"))
    plan_end = models.DateField(_("plan ends"), null=True, blank=True)
    plan_document = models.CharField(_("plan document"), max_length=200, blank=True)
    started_on = models.DateField(_("assistance began"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = LedgerHistory()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["plan_start", "name"]
        constraints = [
            end_not_before_start(start="plan_start", end="plan_end", name="programme_plan_dates"),
            models.CheckConstraint(
                condition=~Q(helper_place=F("helped_place")),
                name="programme_two_places",
                violation_error_message=_("The helper and helped sides must be different."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """One team's term (批次), e.g. the second batch sent in July 2023."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="batches", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 第二批."))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    leader = models.ForeignKey(
        "Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leader"),
        help_text=_("The team leader (领队), a member of this batch."),
    )

    history = LedgerHistory()

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["programme_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="batch_number_unique_per_programme",
                violation_error_message=_("This programme already has a batch with this number."),
            ),
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="batch_name_unique_per_programme",
                violation_error_message=_("This programme already has a batch with this name."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="batch_number_positive"),
            end_not_before_start(start="start_date", end="end_date", name="batch_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.leader_id and self.pk and self.leader.batch_id != self.pk:
            raise ValidationError({"leader": _("The leader must be a member of this batch.")})
        if self.leader_id and not self.pk:
            raise ValidationError(
                {"leader": _("Save the batch and add its members before choosing a leader.")}
            )


class BodyKind(models.TextChoices):
    COMMAND_POST = "command_post", _("command post")
    PARTY_BRANCH = "party_branch", _("party branch")
    WORKING_GROUP = "working_group", _("working group")


# The "1+1+3": one command post and one party branch per batch, any number of working groups.
ONE_PER_BATCH = {
    BodyKind.COMMAND_POST: _("This batch already has a command post."),
    BodyKind.PARTY_BRANCH: _("This batch already has a party branch."),
}


class Body(models.Model):
    """A body of the "1+1+3" structure: the command post, the party branch, a working group."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("batch")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 产业扶持组."))
    duties = models.TextField(_("duties"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists; smaller comes first.")
    )

    history = LedgerHistory(str_related=("batch",))

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["batch_id", "position", "pk"]
        constraints = [
            one_of("kind", BodyKind, name="body_kind_valid"),
            models.UniqueConstraint(
                fields=["batch", "name"],
                name="body_name_unique_per_batch",
                violation_error_message=_("This batch already has a body with this name."),
            ),
            *(
                models.UniqueConstraint(
                    fields=["batch"],
                    condition=Q(kind=kind),
                    name=f"one_{kind}_per_batch",
                    violation_error_message=message,
                )
                for kind, message in ONE_PER_BATCH.items()
            ),
        ]

    def __str__(self) -> str:
        # Every batch has a 产业扶持组: the batch makes the name unambiguous in choice lists.
        # Querysets that list bodies select_related("batch").
        return f"{self.batch.name} · {self.name}"

    @classmethod
    def ordered(cls, *, working_groups: bool = False) -> "models.QuerySet[Body]":
        """Bodies as choice lists show them: newest batch first, each with its batch loaded
        (the label names it)."""
        queryset = cls.objects.select_related("batch").order_by("-batch__number", "position", "pk")
        return queryset.filter(kind=BodyKind.WORKING_GROUP) if working_groups else queryset

    @classmethod
    def of_account(cls, user) -> "models.QuerySet[Body]":
        """The bodies in which the account's members hold a role (ledger.permissions asks this
        for an editor's own working groups: settings.LEDGER_BODY_MODEL)."""
        return cls.objects.filter(roles__member__user=user).distinct()

    @classmethod
    def coordinating_of_account(cls, user) -> "models.QuerySet[Body]":
        """The command posts in which the account's members hold a role: they submit, approve
        and return reporting periods (ledger.permissions.can_review_periods)."""
        return cls.of_account(user).filter(kind=BodyKind.COMMAND_POST)

    @classmethod
    def csv_text(cls, prefix: str = "") -> Func:
        """`str()` of the body at the lookup `prefix` ("project__responsible_body__") as SQL,
        for CSV exports written by the database (ledger.copy_export)."""
        return joined_text(F(f"{prefix}batch__name"), F(f"{prefix}name"), separator=" · ")

    def clean(self) -> None:
        super().clean()
        if (
            self.pk
            and self.batch_id
            and self.roles.exclude(member__batch_id=self.batch_id).exists()
        ):
            raise ValidationError(
                {"batch": _("Members of another batch hold roles in this body; remove them first.")}
            )


class Member(models.Model):
    """A cadre on the team (队员): home unit in the helper place, posting in the helped place."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="members", verbose_name=_("batch")
    )
    name = models.CharField(pgettext_lazy("of a person", "name"), max_length=50)
    home_unit = models.CharField(_("home unit"), max_length=100, blank=True)
    home_post = models.CharField(_("home post"), max_length=100, blank=True)
    posting_unit = models.CharField(_("posting unit"), max_length=100, blank=True)
    posting_post = models.CharField(_("posting post"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("login account"),
    )
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = LedgerHistory()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["batch_id", "name"]
        constraints = [
            # Imports refer to a member by name and batch, so that pair must be unique.
            models.UniqueConstraint(
                fields=["batch", "name"],
                name="member_name_unique_per_batch",
                violation_error_message=_("This batch already has a member with this name."),
            ),
            models.UniqueConstraint(
                fields=["batch", "user"],
                condition=Q(user__isnull=False),
                name="one_member_per_account_per_batch",
                violation_error_message=_(
                    "This login account already belongs to a member of this batch."
                ),
            ),
            end_not_before_start(start="active_from", end="active_until", name="member_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("member-detail", args=[self.pk])

    @staticmethod
    def body_ids(member_id: int | None) -> frozenset[int]:
        """The bodies in which the member holds a role (a mentorship or an investment lead
        followed by a member is kept by the member's bodies)."""
        if member_id is None:
            return frozenset()
        return frozenset(
            MemberRole.objects.filter(member_id=member_id).values_list("body_id", flat=True)
        )

    def clean(self) -> None:
        super().clean()
        if not self.pk or not self.batch_id:
            return
        led = Batch.objects.filter(leader=self).exclude(pk=self.batch_id).first()
        if led:
            raise ValidationError(
                {
                    "batch": _(
                        "This member leads %(batch)s; choose another leader there before moving."
                    )
                    % {"batch": led.name}
                }
            )


class RoleKind(models.TextChoices):
    LEADER = "leader", _("team leader")
    DEPUTY_LEADER = "deputy_leader", _("deputy team leader")
    HEAD = "head", _("group head")
    DEPUTY_HEAD = "deputy_head", _("deputy group head")
    SECRETARY = "secretary", _("party secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("deputy party secretary")
    COMMITTEE = "committee", _("committee member")
    LIAISON = "liaison", _("liaison")
    MEMBER = "member", pgettext_lazy("role in a body", "member")


class MemberRole(models.Model):
    """A member's role in one body (领队, 组长, 书记, 成员 …)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="roles", verbose_name=_("member")
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="roles", verbose_name=_("body")
    )
    role = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)

    history = LedgerHistory(str_related=("body",), parent="member")

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["body__position", "body_id", "pk"]
        constraints = [
            one_of("role", RoleKind, name="member_role_valid"),
            models.UniqueConstraint(
                fields=["member", "body"],
                name="one_role_per_member_per_body",
                violation_error_message=_("This member already has a role in this body."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body.name} · {self.get_role_display()}"

    def clean(self) -> None:
        super().clean()
        if self.member_id and self.body_id and self.member.batch_id != self.body.batch_id:
            raise ValidationError({"body": _("The body belongs to another batch than the member.")})
