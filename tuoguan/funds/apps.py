from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "tuoguan.funds"
    label = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        from tuoguan.core.demo import register_demo_step

        from .demo import seed_funds

        register_demo_step(seed_funds)
