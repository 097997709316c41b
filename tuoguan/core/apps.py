from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tuoguan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .housekeeping import register_framework_jobs

        register_framework_jobs()
