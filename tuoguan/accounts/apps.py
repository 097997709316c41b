from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tuoguan.accounts"
    label = "accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        from tuoguan.core.housekeeping import register_periodic

        from .lockout import failures_prune

        register_periodic(
            "accounts.login_failures_prune",
            failures_prune,
            every=timedelta(days=1),
            description="delete failed-login records (who, from where) older than 30 days",
        )
