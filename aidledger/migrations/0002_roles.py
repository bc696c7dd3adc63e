"""The three ledger roles as groups, with the model permissions that match them.

ledger.permissions decides who may do what (by role and by responsible body); the model
permissions granted here make Django's own checks (user.has_perm, the admin's user and group
pages) agree with it. This migration stands alone: it names the models as they are now.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEWER = "查看者"
EDITOR = "录入员"
LEDGER_ADMIN = "管理员"

LEDGER_APPS = ("aidledger", "pairings", "projects")

# Records kept by a working group: editors add, change and delete their own group's.
LEDGER_RECORDS = {
    "pairings": ["pairing", "exchange", "exchangepairing", "mentorship"],
    "projects": [
        "project",
        "funding",
        "disbursement",
        "indicator",
        "investmentlead",
        "sale",
        "outlet",
    ],
}
# Reference data editors may add, not change.
EDITOR_ADDS = {"pairings": ["unit"], "projects": ["outlet"]}
# Ledger admins manage accounts and who holds which role; never raw permissions or groups.
ACCOUNT_PERMISSIONS = ["add_user", "change_user", "delete_user", "view_user", "view_group"]


def create_roles(apps, schema_editor):
    # Permissions are created by post_migrate, after every migration: on a fresh database they
    # do not exist yet, so create them now (the usual pattern for data migrations).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ledger = Permission.objects.filter(content_type__app_label__in=LEDGER_APPS)

    viewer, _ = Group.objects.get_or_create(name=VIEWER)
    viewer.permissions.add(*ledger.filter(codename__startswith="view_"))

    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(*ledger.filter(codename__startswith="view_"))
    for app_label, models in LEDGER_RECORDS.items():
        codenames = [
            f"{action}_{model}" for model in models for action in ("add", "change", "delete")
        ]
        editor.permissions.add(
            *ledger.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    for app_label, models in EDITOR_ADDS.items():
        editor.permissions.add(
            *ledger.filter(
                content_type__app_label=app_label, codename__in=[f"add_{m}" for m in models]
            )
        )

    ledger_admin, _ = Group.objects.get_or_create(name=LEDGER_ADMIN)
    ledger_admin.permissions.add(*ledger)
    ledger_admin.permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=ACCOUNT_PERMISSIONS)
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[VIEWER, EDITOR, LEDGER_ADMIN]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aidledger", "0001_team_structure"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pairings", "0003_side_triggers"),
        ("projects", "0002_outlet_responsible_body"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
