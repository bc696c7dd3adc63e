"""Recent changes (最近修改): one list over the change history of every tracked model."""

from operator import itemgetter

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ledger import history, lookups, permissions
from ledger.filters import choice_filter, date_filter
from ledger.listing import Column, LedgerListView
from ledger.lookups import LookupFilter


class ChangeFilter(django_filters.FilterSet):
    """The recent changes' filters. The rows are a union of the historical tables, which
    cannot be filtered after the union: the filters go into each part of it
    (ledger.history.recent_changes)."""

    model = choice_filter(_("record type"), history.model_choices)
    user = LookupFilter(
        lookup="user",
        label=_("changed by"),
    )
    action = choice_filter(_("action"), list(history.ACTIONS.items()))
    since = date_filter(_("from"))
    until = date_filter(_("to"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "changed by" lists every account: only for those who may see them.
        request = kwargs.get("request")
        if request is None or not lookups.allowed("user", request.user):
            del self.filters["user"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        return history.recent_changes(
            model=data.get("model") or "",
            user=data.get("user") if "user" in self.filters else None,
            action=data.get("action") or "",
            since=data.get("since"),
            until=data.get("until"),
        )


class ChangeListView(LedgerListView):
    """Recent changes to any ledger record: who changed which record when, and how."""

    title = _("Recent changes")
    filterset_class = ChangeFilter
    default_sort = "-when"
    columns = (
        Column(itemgetter("history_date"), _("when"), key="when", sort="history_date", kind="date"),
        Column(itemgetter("user_name"), _("changed by"), key="user"),
        Column(itemgetter("action_label"), _("action"), key="action"),
        Column(itemgetter("record_type"), _("record type"), key="type", sort="model"),
        Column(itemgetter("record"), _("record"), key="record", link=True),
        Column(itemgetter("changes"), _("what changed"), key="changes", kind="list"),
    )

    def get_queryset(self) -> QuerySet:
        return history.recent_changes()

    def ordering(self, sort: str) -> list[str]:
        # A union sorts by its own columns; the model and the history id break ties.
        column = self.sortable()[sort.removeprefix("-")].sort
        keys = [column, *(key for key in ("history_date", "model", "history_id") if key != column)]
        return [f"-{key}" for key in keys] if sort.startswith("-") else keys

    def load_related(self, objects: list[dict]) -> None:
        history.attach_changes(objects)
        # Records without a page of their own (an outlet, a deleted record) link to their
        # history in the admin; a viewer cannot enter the admin, so they get the name only.
        if not permissions.can_enter_admin(self.request.user):
            admin_root = reverse("admin:index")
            for row in objects:
                if row["get_absolute_url"].startswith(admin_root):
                    row["get_absolute_url"] = ""
