"""Change history of the ledger: who changed which record, when, from what to what.

Every ledger and reference model carries `history = LedgerHistory()` (django-simple-history):
each save and delete writes a row to the model's historical table, with the logged-in user
(`HistoryRequestMiddleware`). Writes that bypass save() (`QuerySet.update()`, `bulk_create()`,
a many-to-many manager's `add()`/`set()`) leave no history, so the project does not use them
on tracked models: links and derived fields are saved row by row.

This module turns those rows into what a person reads ("修改记录": 金额 1,000.00 → 1,200.00)
for any tracked record, with a bounded number of queries: one for the record's rows, one per
child model, one per model whose records the changed foreign keys name.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from ledger.fields import MoneyField, yuan

ACTIONS = {"+": _("added"), "~": _("changed"), "-": _("deleted")}

NOT_SHOWN = {"id"}

# How many of an added record's fields the recent changes show (the rest are on its page).
ADDED_FIELDS_SHOWN = 6


@dataclass(frozen=True)
class Tracking:
    """How a tracked model's changes read, as its `LedgerHistory(...)` declares them."""

    # What the record's str() reads through foreign keys, loaded with it (select_related), so
    # that naming many records costs one query per model.
    str_related: tuple[str, ...] = ()
    # A record that exists only as part of another (a link, a role, a file) names the parent
    # field (a foreign key, or a generic one: an evidence file's record). Its changes show in
    # the parent's history, and a link to it leads to the parent.
    parent: str | None = None
    # Fields its history does not show (an evidence file's generated stored name).
    hidden: frozenset[str] = frozenset()
    # Foreign keys to records whose history also shows this record's changes, though it has
    # its own page and its own entries (a project's history shows its funding lines and
    # payments).
    shown_in: tuple[str, ...] = ()


# "app_label.model" → its Tracking, filled as the models are defined.
_tracking: dict[str, Tracking] = {}


class LedgerHistory(HistoricalRecords):
    """HistoricalRecords that skips a save which changed no tracked field, and declares how the
    model's changes read (`Tracking`): every model that carries one is a tracked model.

    Saving a record unchanged (the demo loader run again, a clerk pressing save without an
    edit) would otherwise write a "changed" row with no change in it, which only hides the
    real changes in the lists of changes.
    """

    def __init__(
        self,
        *args: Any,
        str_related: Iterable[str] = (),
        parent: str | None = None,
        hidden: Iterable[str] = (),
        shown_in: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tracking = Tracking(tuple(str_related), parent, frozenset(hidden), tuple(shown_in))

    def contribute_to_class(self, cls, name) -> None:
        super().contribute_to_class(cls, name)
        _tracking[cls._meta.label_lower] = self.tracking

    def _get_history_user_fields(self):
        # The library sets the user to NULL when an account is deleted, which would erase who
        # made each change: an account that changed the ledger cannot be deleted (deactivate it).
        return {
            "history_user": models.ForeignKey(
                settings.AUTH_USER_MODEL,
                null=True,
                related_name="+",
                on_delete=models.PROTECT,
                verbose_name=_("changed by"),
            )
        }

    def get_change_reason_for_object(self, instance, history_type, using):
        # The change set the row belongs to (see `change_set`), unless the instance names one.
        return super().get_change_reason_for_object(instance, history_type, using) or (
            current_change_set()
        )

    def create_historical_record(self, instance, history_type, using=None):
        if history_type == "~" and not self._changed_since_last_record(instance):
            return
        super().create_historical_record(instance, history_type, using=using)

    def _changed_since_last_record(self, instance) -> bool:
        manager = getattr(instance, self.manager_name)
        last = manager.order_by("-history_date", "-history_id").first()
        if last is None or last.history_type == "-":
            return True
        return any(
            _normalised(f, getattr(instance, f.attname)) != _normalised(f, getattr(last, f.attname))
            for f in self.fields_included(instance)
        )


# Change sets -------------------------------------------------------------------------------------
#
# The rows one save or one import writes carry one `history_change_reason`: "save:<id>" for a
# request (an admin form with its inline rows), "import:<file name>" for an import. The recent
# changes show a child row (an exchange's pairing link) added in the same change set as its
# parent as part of the parent's entry, not as an entry of its own, and mark an import's rows
# with the file they came from.

IMPORT_PREFIX = "import:"
_REASON_LENGTH = 100  # simple-history's history_change_reason column


def current_change_set() -> str | None:
    """The change set rows written now belong to: `change_set()`'s, else the request's own
    (one per request, made on first use), else none."""
    context = HistoricalRecords.context
    explicit = getattr(context, "ledger_change_set", None)
    if explicit:
        return explicit
    request = getattr(context, "request", None)
    if request is None:
        return None
    found = getattr(request, "_ledger_change_set", None)
    if found is None:
        found = f"save:{uuid.uuid4().hex}"
        try:
            request._ledger_change_set = found
        except AttributeError:  # a request object that takes no attributes
            return None
    return found


@contextmanager
def change_set(reason: str) -> Iterator[None]:
    """Mark the history rows written inside as one change set named `reason` (cut to the
    column's length)."""
    context = HistoricalRecords.context
    previous = getattr(context, "ledger_change_set", None)
    context.ledger_change_set = reason[:_REASON_LENGTH]
    try:
        yield
    finally:
        context.ledger_change_set = previous


def import_change_set(filename: str) -> str:
    """The change set of an import of `filename`: "import:三月交流.csv"."""
    return f"{IMPORT_PREFIX}{filename or '—'}"[:_REASON_LENGTH]


@contextmanager
def changes_by(user) -> Iterator[None]:
    """Name `user` in the history rows written inside, outside a request too (a command's
    import): simple-history reads the user from its context's request, which the middleware
    sets only for web requests. The request in place before (if any) is put back after."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


# How many records one INSERT writes when records are saved together.
SAVE_BATCH = 1000


def save_records(objects: Iterable[models.Model]) -> None:
    """Save records as `save()` one by one would, history included, with new records inserted
    many per query: their rows and their "+" history rows (naming the user `changes_by()` or
    the request names, as a save's would) in batches of SAVE_BATCH. Changed records, and
    records of a model with its own save(), are saved one by one (a change's history row is
    written only if it changed something, see LedgerHistory).

    No signal is sent for the records inserted together: ledger models that rely on a
    post_save receiver define their own save() (and are saved one by one here).
    """
    objects = list(objects)
    new = [
        obj
        for obj in objects
        if obj.pk is None
        and obj._state.adding
        and type(obj).save is models.Model.save
        and model_key(type(obj)) in _tracking
    ]
    for model in {type(obj) for obj in new}:
        same = [obj for obj in new if type(obj) is model]
        # The history rows name the user as a save's would (the instance's _history_user, or
        # the request's or changes_by()'s logged-in user), all at one time.
        saved = bulk_create_with_history(
            same,
            model,
            batch_size=SAVE_BATCH,
            default_date=timezone.now(),
            default_change_reason=current_change_set(),
        )
        for obj, stored in zip(same, saved, strict=True):
            obj.pk = stored.pk
            obj._state.adding = False
            obj._state.db = stored._state.db
    inserted = {id(obj) for obj in new}
    for obj in objects:
        if id(obj) not in inserted:
            obj.save()


def _normalised(model_field: models.Field, value: Any) -> Any:
    # A value set in code may still be a string ("2024-01-02", "12.50") until it is reloaded.
    if value is None:
        return None
    try:
        return model_field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def tracked_models() -> list[type[models.Model]]:
    """The models whose changes are recorded (those with a LedgerHistory), in app and model
    order."""
    return [model for model in apps.get_models() if model._meta.label_lower in _tracking]


def tracking(model: type[models.Model]) -> Tracking:
    return _tracking.get(model._meta.label_lower, Tracking())


def model_key(model: type[models.Model]) -> str:
    return model._meta.label_lower


def history_model(model: type[models.Model]) -> type[models.Model]:
    return getattr(model, model._meta.simple_history_manager_attribute).model


# Naming records ------------------------------------------------------------------------------


def _instance_of(row: models.Model) -> models.Model:
    """The record as a historical row holds it, with the related records the row loaded."""
    instance = row.instance
    names = {f.name for f in instance._meta.concrete_fields}
    instance._state.fields_cache.update(
        {name: value for name, value in row._state.fields_cache.items() if name in names}
    )
    return instance


def _name(instance: models.Model) -> str:
    try:
        return str(instance)
    except ObjectDoesNotExist:  # a record it names was deleted since
        return f"{capfirst(instance._meta.verbose_name)} #{instance.pk}"


def record_names(model: type[models.Model], pks: Iterable[Any]) -> dict[Any, str]:
    """str() of records by primary key, also of deleted ones (from their last history row).

    One query for the live records and, when some were deleted, one for their history.
    """
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return {}
    related = tracking(model).str_related
    names = {
        obj.pk: _name(obj)
        for obj in model._default_manager.filter(pk__in=pks).select_related(*related)
    }
    missing = pks - names.keys()
    if missing and getattr(model._meta, "simple_history_manager_attribute", None):
        pk_name = model._meta.pk.attname
        rows = (
            history_model(model)
            .objects.filter(**{f"{pk_name}__in": missing})
            .select_related(*related)
            .order_by(pk_name, "history_date", "history_id")
        )
        for row in rows:  # the last row of each record wins
            names[getattr(row, pk_name)] = gettext("%(name)s (deleted)") % {
                "name": _name(_instance_of(row))
            }
    for pk in pks - names.keys():
        names[pk] = f"{capfirst(model._meta.verbose_name)} #{pk}"
    return names


# Showing values ------------------------------------------------------------------------------


def shown(model_field: models.Field, value: Any, names: dict[tuple[str, Any], str]) -> str:
    """A stored value as a person reads it: choice labels, amounts in yuan, record names."""
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return names.get((model_key(model_field.related_model), value), f"#{value}")
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, MoneyField) and isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    """One entry of a record's history, as the "修改记录" list shows it."""

    when: datetime.datetime
    user: Any
    action: str  # "+", "~" or "-"
    subject: str = ""  # for a child record (a role, a link): what it is
    fields: list[FieldChange] = field(default_factory=list)
    row: Any = None  # the historical row

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])


def _fields(model: type[models.Model]) -> list[models.Field]:
    hidden = NOT_SHOWN | tracking(model).hidden
    return [f for f in model._meta.concrete_fields if f.name not in hidden]


# A child record's parent -----------------------------------------------------------------------


def _parent_link(child: type[models.Model]) -> tuple[str, str] | None:
    """(content type field attname or "", id field attname) naming a child's parent."""
    name = tracking(child).parent
    if name is None:
        return None
    link = child._meta.get_field(name)
    if isinstance(link, GenericForeignKey):
        return child._meta.get_field(link.ct_field).attname, link.fk_field
    return "", link.attname


def _parent_fields(child: type[models.Model]) -> set[str]:
    """The child's fields that name its parent: the same on every row, never a change."""
    name = tracking(child).parent
    if name is None:
        return set()
    link = child._meta.get_field(name)
    if isinstance(link, GenericForeignKey):
        return {link.ct_field, link.fk_field}
    return {name}


def _children_lookups(
    child: type[models.Model], model: type[models.Model], pk: Any
) -> dict[str, Any] | None:
    """The filter selecting the child rows of record `pk` of `model`; None if `child` is not
    a part of `model`'s records."""
    link = _parent_link(child)
    if link is None:
        return None
    ct_attname, id_attname = link
    if ct_attname:
        carriers = {
            f.related_model for f in model._meta.private_fields if isinstance(f, GenericRelation)
        }
        if child not in carriers:
            return None
        return {ct_attname: ContentType.objects.get_for_model(model).pk, id_attname: pk}
    if child._meta.get_field(tracking(child).parent).related_model is not model:
        return None
    return {id_attname: pk}


def _parent_of(child: type[models.Model], row: Any) -> tuple[type[models.Model], Any]:
    """(model, id) of the record a child's history row belongs to."""
    ct_attname, id_attname = _parent_link(child)  # type: ignore[misc]
    if ct_attname:
        parent = ContentType.objects.get_for_id(getattr(row, ct_attname)).model_class()
    else:
        parent = child._meta.get_field(tracking(child).parent).related_model
    return parent, getattr(row, id_attname)


def _diff(model: type[models.Model], row, previous) -> list[tuple[models.Field, Any, Any]]:
    """(field, old, new) of the fields `row` changed from `previous` (all set fields for an
    added record, none for a deleted one)."""
    if row.history_type == "-":
        return []
    changed = []
    for model_field in _fields(model):
        new = getattr(row, model_field.attname)
        old = getattr(previous, model_field.attname) if previous is not None else None
        if previous is None and new in (None, ""):
            continue
        if _normalised(model_field, old) != _normalised(model_field, new):
            changed.append((model_field, old, new))
    return changed


def changes_of_rows(
    model: type[models.Model],
    rows: list,
    *,
    child: bool = False,
    same_fields: Iterable[str] = (),
) -> list[Change]:
    """Changes of historical rows of `model`, each compared with the row before it of the
    same record; `rows` must hold every earlier row of those records. `child`: shown in
    another record's history, each change naming its record; `same_fields` name that record
    (not shown as changes)."""
    pk_name = model._meta.pk.attname
    # A child's link to its parent is the same on every row: not a change to show (nor a
    # record to look up the name of).
    parent_fields = (_parent_fields(model) | set(same_fields)) if child else set()
    previous: dict[Any, Any] = {}
    diffs = []
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        key = getattr(row, pk_name)
        before = previous.get(key)
        changed = _diff(model, row, before if before and before.history_type != "-" else None)
        diffs.append((row, [item for item in changed if item[0].name not in parent_fields]))
        previous[key] = row
    # Every record a changed foreign key names, one query per model.
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for _row, changed in diffs:
        for model_field, old, new in changed:
            if model_field.is_relation:
                wanted[model_field.related_model].update((old, new))
    names = {}
    for related, pks in wanted.items():
        names |= {(model_key(related), pk): name for pk, name in record_names(related, pks).items()}
    return [
        Change(
            when=row.history_date,
            user=row.history_user,
            action=row.history_type,
            subject=(
                gettext("%(kind)s: %(record)s")
                % {"kind": capfirst(model._meta.verbose_name), "record": _name(_instance_of(row))}
                if child
                else ""
            ),
            fields=[
                FieldChange(
                    label=capfirst(model_field.verbose_name),
                    old=shown(model_field, old, names) if row.history_type == "~" else "",
                    new=shown(model_field, new, names),
                )
                for model_field, old, new in changed
            ],
            row=row,
        )
        for row, changed in diffs
    ]


def record_changes(record: models.Model) -> list[Change]:
    """The history of one record, newest first, with the changes of its child records (a
    member's roles, an exchange's pairings, a record's evidence files)."""
    model = type(record)
    rows = list(
        history_model(model)
        .objects.filter(**{model._meta.pk.attname: record.pk})
        .select_related("history_user")
    )
    changes = changes_of_rows(model, rows)
    for child in tracked_models():
        lookups = _children_lookups(child, model, record.pk)
        if lookups is None:
            continue
        child_rows = list(
            history_model(child)
            .objects.filter(**lookups)
            .select_related("history_user", *tracking(child).str_related)
        )
        changes += changes_of_rows(child, child_rows, child=True)
    for other in tracked_models():
        for name in tracking(other).shown_in:
            link = other._meta.get_field(name)
            if link.related_model is not model:
                continue
            other_rows = list(
                history_model(other)
                .objects.filter(**{link.attname: record.pk})
                .select_related("history_user", *tracking(other).str_related)
            )
            changes += changes_of_rows(other, other_rows, child=True, same_fields={name})
    return sorted(changes, key=lambda c: c.when, reverse=True)


# Where a record is shown -----------------------------------------------------------------------


def record_url(model: type[models.Model], pk: Any, *, instance=None, exists: bool = True) -> str:
    """The page of a record: its own page if it has one and still exists, else its history in
    the admin (which also shows deleted records)."""
    if exists and instance is not None and hasattr(instance, "get_absolute_url"):
        try:
            return instance.get_absolute_url()
        except (NoReverseMatch, ObjectDoesNotExist):
            pass
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk])
    except NoReverseMatch:
        return ""


# Lost updates ----------------------------------------------------------------------------------

VERSION_FIELD = "ledger_version"

STALE_FORM = _(
    "This form does not say which version of the record it was loaded from; reload the page "
    "and make your change again."
)
DELETED_SINCE = _("This record was deleted by %(user)s at %(when)s; it can no longer be changed.")
CHANGED_SINCE = _(
    "This record was changed by %(user)s at %(when)s; reload it before changing it again."
)


def user_name(user) -> str:
    if user is None:
        return gettext("someone")
    return user.get_full_name() or user.get_username()


def _latest(model: type[models.Model], **lookups):
    return (
        history_model(model)
        .objects.filter(**lookups)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )


def version_of(
    record: models.Model, children: Iterable[tuple[type[models.Model], str]] = ()
) -> str:
    """A token that changes whenever the record, or one of its child records (an inline's
    rows, `children` = (model, attname of its key to the record)), is changed: the newest
    history row id of each. One query per model."""
    parts = []
    for model, lookups in _version_sources(record, children):
        newest = (
            history_model(model)
            .objects.filter(**lookups)
            .aggregate(newest=models.Max("history_id"))["newest"]
        )
        parts.append(f"{model_key(model)}:{newest or 0}")
    return ";".join(parts)


def _version_sources(record, children):
    yield type(record), {type(record)._meta.pk.attname: record.pk}
    for model, attname in children:
        if getattr(model._meta, "simple_history_manager_attribute", None):
            yield model, {attname: record.pk}


class VersionedFormMixin:
    """For a ModelForm that changes a record: refuse the save if the record (or one of the
    `version_children`) was changed since the form was loaded, instead of overwriting it.

    The form carries the version it was loaded from in a hidden field (`ledger_version`); on
    validation the record's row is locked (`SELECT … FOR UPDATE`) and its version compared.
    Validate and save in one `transaction.atomic()` (the admin's change view does) so that
    nobody can change the record between the check and the save. A change form posted
    without the version (forged, or from an old page) is refused too.
    """

    version_children: tuple[tuple[type[models.Model], str], ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD] = forms.CharField(
                label="",
                widget=forms.HiddenInput,
                required=False,
                initial=version_of(self.instance, self.version_children),
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            self.check_version(cleaned.get(VERSION_FIELD) or "")
        return cleaned

    def check_version(self, loaded: str) -> None:
        model = type(self.instance)
        if not loaded:
            raise ValidationError(STALE_FORM, code="stale")
        exists = model._default_manager.select_for_update().filter(pk=self.instance.pk).exists()
        if not exists:
            latest = _latest(model, **{model._meta.pk.attname: self.instance.pk})
            raise ValidationError(DELETED_SINCE, code="deleted", params=_who_and_when(latest))
        current = version_of(self.instance, self.version_children)
        if current == loaded:
            return
        loaded_ids = _parts(loaded)
        current_ids = _parts(current)
        if loaded_ids is None or loaded_ids.keys() != current_ids.keys():
            raise ValidationError(STALE_FORM, code="stale")
        if any(int(loaded_ids[key]) > int(current_ids[key]) for key in current_ids):
            raise ValidationError(STALE_FORM, code="stale")  # a version still to come: forged
        newest = None
        for source, lookups in _version_sources(self.instance, self.version_children):
            row = _latest(source, **lookups)
            changed = row is not None and str(row.history_id) != loaded_ids.get(model_key(source))
            if changed and (newest is None or row.history_date > newest.history_date):
                newest = row
        if newest is None:  # not a version this record ever had
            raise ValidationError(STALE_FORM, code="stale")
        raise ValidationError(CHANGED_SINCE, code="changed", params=_who_and_when(newest))


def _parts(version: str) -> dict[str, str] | None:
    """{model key: newest history id} of a version token; None if it is not one."""
    try:
        parts = dict(part.split(":", 1) for part in version.split(";"))
        for value in parts.values():
            int(value)
    except ValueError:
        return None
    return parts


def _who_and_when(row) -> dict[str, str]:
    if row is None:
        return {"user": user_name(None), "when": "—"}
    return {
        "user": user_name(row.history_user),
        "when": timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M:%S"),
    }


# Recent changes across the ledger ----------------------------------------------------------------


def recent_changes(
    *,
    model: str = "",
    user=None,
    action: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> models.QuerySet:
    """Every tracked model's history rows as one query: a UNION ALL of each historical table's
    (history_id, history_date, history_type, history_user_id, record_pk, model) with the
    filters applied inside each part, so the database sorts, counts and pages the whole.

    Rows are dicts; `attach_changes()` adds what a page shows.
    """
    parts = []
    for tracked in tracked_models():
        if model and model_key(tracked) != model:
            continue
        rows = history_model(tracked).objects.all()
        if user is not None:
            rows = rows.filter(history_user=user)
        if action:
            rows = rows.filter(history_type=action)
        if since is not None:
            rows = rows.filter(history_date__gte=_start_of(since))
        if until is not None:
            rows = rows.filter(history_date__lt=_start_of(until + datetime.timedelta(days=1)))
        rows = _without_parts_of_their_parents_entry(tracked, rows)
        parts.append(
            rows.order_by().values(
                "history_id",
                "history_date",
                "history_type",
                "history_user_id",
                "history_change_reason",
                # Not "object_id": an evidence file has a field of that name (its record's id).
                record_pk=models.F(tracked._meta.pk.attname),
                model=models.Value(model_key(tracked), output_field=models.CharField()),
            )
        )
    if not parts:
        return history_model(tracked_models()[0]).objects.none().values("history_id")
    first, *others = parts
    return first.union(*others, all=True) if others else first


def _without_parts_of_their_parents_entry(
    model: type[models.Model], rows: models.QuerySet
) -> models.QuerySet:
    """`rows` of a child model (an exchange's pairing link) less those added in the same
    change set as their parent record: they are part of the parent's entry."""
    link = _parent_link(model)
    if link is None or link[0]:  # not a child, or a child of records of any model (a file)
        return rows
    parent_attname = link[1]
    parent = model._meta.get_field(tracking(model).parent).related_model
    added_with_parent = history_model(parent).objects.filter(
        **{parent._meta.pk.attname: models.OuterRef(parent_attname)},
        history_type="+",
        history_change_reason=models.OuterRef("history_change_reason"),
    )
    return rows.exclude(
        models.Q(history_type="+")
        & models.Q(history_change_reason__isnull=False)
        & models.Exists(added_with_parent)
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def attach_changes(rows: list[dict]) -> None:
    """Add to recent-change rows (dicts from `recent_changes()`) what the page shows: `user`,
    `action_label`, `record_type`, `record` (its name then), `get_absolute_url` and `changes`
    (["金额：1,000.00 → 1,200.00", …]).

    One query per model on the page (its rows and their records' earlier rows, with users and
    the names' related records), one per model a changed key names, one per model for which
    records still exist: never a query per row.
    """
    by_model: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_model[row["model"]].append(row)
    models_by_key = {model_key(m): m for m in tracked_models()}
    for key, page_rows in by_model.items():
        model = models_by_key[key]
        pk_name = model._meta.pk.attname
        object_ids = {row["record_pk"] for row in page_rows}
        history = list(
            history_model(model)
            .objects.filter(**{f"{pk_name}__in": object_ids})
            .select_related("history_user", *tracking(model).str_related)
        )
        changes = {change.row.history_id: change for change in changes_of_rows(model, history)}
        is_child = tracking(model).parent is not None
        # The records the rows link to (a child's parent), and which of them still exist: one
        # query per model linked to (a file's records may be of several models).
        targets = {
            row["history_id"]: (
                _parent_of(model, changes[row["history_id"]].row)
                if is_child
                else (model, row["record_pk"])
            )
            for row in page_rows
        }
        linked: dict[type[models.Model], set] = defaultdict(set)
        for target, target_id in targets.values():
            linked[target].add(target_id)
        alive = {
            (target, pk)
            for target, ids in linked.items()
            for pk in target._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        }
        for row in page_rows:
            change = changes[row["history_id"]]
            instance = _instance_of(change.row)
            row["user"] = change.user
            row["user_name"] = user_name(change.user) if change.user else "—"
            reason = row.get("history_change_reason") or ""
            row["action_label"] = (
                gettext("imported (%(file)s)") % {"file": reason.removeprefix(IMPORT_PREFIX)}
                if reason.startswith(IMPORT_PREFIX)
                else change.action_label
            )
            row["record_type"] = capfirst(model._meta.verbose_name)
            row["record"] = _name(instance)
            target, target_id = targets[row["history_id"]]
            row["get_absolute_url"] = record_url(
                target,
                target_id,
                instance=target(pk=target_id) if is_child else instance,
                exists=(target, target_id) in alive,
            )
            # What changed; for an added record, its main fields (the first it has set).
            if change.action == "~":
                row["changes"] = [
                    gettext("%(field)s: %(old)s → %(new)s")
                    % {"field": item.label, "old": item.old, "new": item.new}
                    for item in change.fields
                ]
            elif change.action == "+":
                row["changes"] = [
                    gettext("%(label)s: %(value)s") % {"label": item.label, "value": item.new}
                    for item in change.fields[:ADDED_FIELDS_SHOWN]
                ]
            else:
                row["changes"] = []


def model_choices() -> list[tuple[str, str]]:
    """(key, name) of the tracked models, for the recent changes' record type filter."""
    return [(model_key(m), capfirst(m._meta.verbose_name)) for m in tracked_models()]
