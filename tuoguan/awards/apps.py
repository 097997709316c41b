from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "tuoguan.awards"
    label = "awards"
    verbose_name = _("Demonstration classes")

    def ready(self) -> None:
        # Earlier apps never import awards (DESIGN §3): its facts are registered here.
        from tuoguan.core.demo import register_demo_step

        from . import facts
        from .demo import seed_awards

        facts.register()
        facts.register_designations()
        register_demo_step(seed_awards)
