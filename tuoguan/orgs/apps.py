from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "tuoguan.orgs"
    label = "orgs"
    verbose_name = _("Unions")

    def ready(self) -> None:
        from tuoguan.audit.selectors import register_visibility

        from .permissions import audit_visible_q

        # audit sits below orgs, so orgs tells it who reads which entries.
        register_visibility(audit_visible_q)
