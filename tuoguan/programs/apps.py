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
        self._give_the_root_its_standard()
        # `manage.py seed_demo` (accounts) runs it after the union tree and the people.
        register_demo_step(seed_programs)

    def _give_the_root_its_standard(self) -> None:
        from django.db.models.signals import post_migrate

        from tuoguan.orgs.services import on_root_created

        # Created with the national union, and after `migrate` for a tree built before.
        on_root_created(_standard_after_migrate)
        post_migrate.connect(_standard_after_migrate, sender=self)


def _standard_after_migrate(*_args: object, **_kwargs: object) -> None:
    from .services.standards import standard_ensure_national_default

    standard_ensure_national_default()
