from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tuoguan.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Earlier apps never import supervision (DESIGN §3): it plugs itself in here.
        from datetime import timedelta

        from tuoguan.core.demo import register_demo_step
        from tuoguan.core.housekeeping import register_periodic

        from . import compliance
        from .demo import seed_supervision
        from .services.rectifications import rectifications_alert_overdue

        compliance.register()
        self._follow_daily_care()
        register_periodic(
            "supervision.overdue_alerts",
            rectifications_alert_overdue,
            every=timedelta(hours=1),
            description=(
                "tell the owner, the class manager and the inspector's union about each "
                "rectification order past its deadline, once a day until it is accepted"
            ),
        )
        register_demo_step(seed_supervision)

    def _follow_daily_care(self) -> None:
        from tuoguan.care.services.attendance import register_checkin_guard

        from .providers import register_attendance_provider
        from .selectors import attendance_from_care, suspension_reason, term_checkins_suspended

        # A veto-level finding stops the term's check-ins until its order is accepted.
        register_checkin_guard(term_checkins_suspended, fact=suspension_reason)
        # The visit shows who was in the room, as the door recorded it.
        register_attendance_provider(attendance_from_care)
