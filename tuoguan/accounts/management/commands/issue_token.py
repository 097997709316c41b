from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoguan.accounts import selectors, services
from tuoguan.audit.context import acting_as


class Command(BaseCommand):
    help = (
        "Issue a personal API token for the active account whose username or mobile number is "
        "LOGIN and print its key. The key is shown this once: only its SHA-256 hash is stored, "
        "so a lost key cannot be recovered, only revoked on the tokens page and replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", help="username or mobile number of the account")
        parser.add_argument("--name", default="issued by manage.py", help="label of the token")

    def handle(self, *args: Any, **options: Any) -> None:
        user = selectors.user_by_login(options["login"])
        if user is None or not user.is_active:
            raise CommandError(f"No active account has the login {options['login']!r}.")
        name = options["name"].strip()
        if not name or len(name) > 60:
            raise CommandError("The token name must have 1 to 60 characters.")
        # The audit log names the account itself: there is no request to say who acted.
        with acting_as(user_id=user.pk, reason="manage.py issue_token"):
            token, key = services.token_issue(user=user, name=name)
        self.stderr.write(f"Token {token.name!r} ({token.prefix}…) for {user.username}:")
        self.stdout.write(key)
