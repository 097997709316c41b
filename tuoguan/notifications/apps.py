from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tuoguan.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from datetime import timedelta

        from tuoguan.core.housekeeping import register_periodic

        from .services import deliveries_resume, notifications_dispatch

        register_periodic(
            "notifications.dispatch",
            notifications_dispatch,
            every=timedelta(seconds=30),
            description=(
                "create and queue the SMS, WeChat and e-mail deliveries of batched notices "
                "(the replies to applications on enrolment morning)"
            ),
        )
        register_periodic(
            "notifications.resume",
            deliveries_resume,
            every=timedelta(minutes=10),
            description=(
                "send again the deliveries whose retry was lost (pending for 30 minutes), "
                "and give up those not delivered within 24 hours"
            ),
        )
