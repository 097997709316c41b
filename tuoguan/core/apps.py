from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tuoguan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .housekeeping import register_framework_jobs
        from .middleware import idle_clock_start

        register_framework_jobs()
        user_logged_in.connect(idle_clock_start, dispatch_uid="tuoguan.core.idle_clock_start")
