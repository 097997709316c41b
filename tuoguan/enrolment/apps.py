from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "tuoguan.enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment")

    def ready(self) -> None:
        from . import compliance

        compliance.register()
        from tuoguan.accounts.services import on_consent_change

        from .services.paperwork import enrolment_sync_for_child

        on_consent_change(enrolment_sync_for_child)
