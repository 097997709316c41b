from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tuoguan.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from datetime import timedelta

        from tuoguan.core.housekeeping import register_periodic

        from .services import audit_purge

        # audit_purge reads TUOGUAN_AUDIT_RETENTION_DAYS and refuses one under six months.
        register_periodic(
            "audit.purge",
            audit_purge,
            every=timedelta(days=1),
            description=(
                "delete audit entries older than TUOGUAN_AUDIT_RETENTION_DAYS (never under "
                "six months)"
            ),
        )
