import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure someone can log in: if no superuser exists, create one with a random "
        "password and print it. Never changes an existing account."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=os.environ.get("AIDLEDGER_ADMIN_USER", "admin"))
        # `make run` passes the address it serves on (its HOST and PORT).
        parser.add_argument(
            "--url",
            default=(
                f"http://{os.environ.get('HOST') or '127.0.0.1'}:"
                f"{os.environ.get('PORT') or '8000'}/"
            ),
            help="where the site is served, for the message (default: $HOST and $PORT)",
        )

    def handle(self, *args, username: str, url: str, **options) -> None:
        User = get_user_model()
        existing = list(
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .values_list("username", flat=True)[:5]
        )
        if existing:
            names = ", ".join(existing)
            self.stdout.write(
                f"Log in at {url} as an existing superuser ({names}). "
                f"Forgot the password? Run: .venv/bin/python manage.py changepassword {existing[0]}"
            )
            return
        if User.objects.filter(username=username).exists():
            self.stderr.write(
                f"A user named {username!r} exists but is not an active superuser; "
                "choose another name with --username."
            )
            raise SystemExit(1)
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a superuser to log in with at {url}\n"
                f"    username: {username}\n"
                f"    password: {password}\n"
                "The password is shown only now; change it with: "
                f".venv/bin/python manage.py changepassword {username}"
            )
        )
