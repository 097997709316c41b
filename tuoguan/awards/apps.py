from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "tuoguan.awards"
    label = "awards"
    verbose_name = _("Demonstration classes")

    def ready(self) -> None:
        # Earlier apps never import awards (DESIGN §3): its facts are registered here.
        from . import facts

        facts.register()
