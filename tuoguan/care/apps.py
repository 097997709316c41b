from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "tuoguan.care"
    label = "care"
    verbose_name = _("Daily care")

    def ready(self) -> None:
        # Earlier apps never import care (DESIGN §3): care plugs itself into them here.
        from datetime import timedelta

        from tuoguan.core.demo import register_demo_step
        from tuoguan.core.housekeeping import register_periodic

        from . import incident_facts, meal_facts, providers
        from .demo import seed_care
        from .services.alerts import care_alerts
        from .services.incidents import incidents_remind

        providers.register()
        incident_facts.register()
        meal_facts.register()
        register_periodic(
            "care.incident_reminders",
            incidents_remind,
            every=timedelta(minutes=5),
            description=(
                "send each critical incident notice nobody acknowledged again, once, and tell "
                "the union above who has not answered"
            ),
        )
        register_periodic(
            "care.alerts",
            care_alerts,
            every=timedelta(minutes=5),
            description=(
                "tell parents of children expected but not checked in, and parents and class "
                "managers of children still in after closing; each alert once"
            ),
        )
        # `manage.py seed_demo` runs it after the classes (programs) and enrolment.
        register_demo_step(seed_care)
