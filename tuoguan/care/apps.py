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

        from . import incident_facts, inspection_facts, meal_facts, providers
        from .demo import seed_care
        from .services.alerts import care_alerts
        from .services.incidents import incidents_remind
        from .services.inspections import inspection_follow_ups_alert
        from .services.liveview import day_summaries_send

        providers.register()
        incident_facts.register()
        meal_facts.register()
        inspection_facts.register()
        register_periodic(
            "care.inspection_follow_ups",
            inspection_follow_ups_alert,
            every=timedelta(minutes=30),
            description=(
                "tell the class's managers and the host union of each inspection follow-up "
                "past its deadline, once"
            ),
        )
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
        register_periodic(
            "care.day_summaries",
            day_summaries_send,
            every=timedelta(minutes=15),
            description=(
                "after each class's closing time, send each guardian one summary of the "
                "child's day (in and out, the morning check, meals, notes); once per child a day"
            ),
        )
        # `manage.py seed_demo` runs it after the classes (programs) and enrolment.
        register_demo_step(seed_care)
