from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "tuoguan.programs"
    label = "programs"
    verbose_name = _("Classes and standards")

    def ready(self) -> None:
        # The metrics programs can judge from its own data. Later apps (enrolment, care)
        # register theirs the same way in their own ready(); see compliance.py.
        from tuoguan.core.demo import register_demo_step

        from . import metrics
        from .demo import seed_programs

        metrics.register_builtin_metrics()
        # `manage.py seed_demo` (accounts) runs it after the union tree and the people.
        register_demo_step(seed_programs)
