"""The ledger's admin site: who may enter it is a question of roles, not of the staff flag.

Installed as Django's default site by aidledger.apps.LedgerAdminConfig (INSTALLED_APPS names it
instead of "django.contrib.admin"), so `admin.site` and `@admin.register` are this site.
Editors (录入员) and ledger admins (管理员) enter it whether or not "staff status" is ticked;
viewers read on the site's own pages; accounts without a role stay out.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ledger import permissions

NO_ADMIN_ROLE = _(
    "This account may not use the admin. Ask the ledger administrator for the editor or "
    "ledger admin role."
)


class LedgerAdminAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        # AdminAuthenticationForm checks is_staff; the roles decide here instead.
        if not user.is_active:
            raise ValidationError(self.error_messages["inactive"], code="inactive")
        if not permissions.can_enter_admin(user):
            raise ValidationError(NO_ADMIN_ROLE, code="no_admin_role")


class LedgerAdminSite(admin.AdminSite):
    login_form = LedgerAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return permissions.can_enter_admin(request.user)
