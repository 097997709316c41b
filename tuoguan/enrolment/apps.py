from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "tuoguan.enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment")

    def ready(self) -> None:
        # Earlier apps never import enrolment (DESIGN §3): enrolment plugs itself in here.
        from . import compliance

        compliance.register()
        self._follow_earlier_apps()
        self._register_housekeeping()
        self._give_the_root_its_agreement()

    def _follow_earlier_apps(self) -> None:
        from tuoguan.accounts.services import on_consent_change
        from tuoguan.programs.services.terms import on_capacity_change

        from .services.offers import enrolment_capacity_sync
        from .services.paperwork import enrolment_sync_for_child

        # Consent given or withdrawn: confirmed ↔ admitted at once.
        on_consent_change(enrolment_sync_for_child)
        # Places added: offered to the waitlist at once; places removed: no more sold.
        on_capacity_change(lambda term: enrolment_capacity_sync(term=term))

    def _register_housekeeping(self) -> None:
        from datetime import timedelta

        from tuoguan.core.housekeeping import register_periodic

        from .services.idempotency import idempotency_purge
        from .services.offers import offers_housekeeping

        register_periodic(
            "enrolment.offers",
            offers_housekeeping,
            every=timedelta(minutes=5),
            description=(
                "lapse offers past their deadline and offer the seat to the next child on "
                "the waitlist, and remind parents once, 6 hours before their deadline"
            ),
        )
        register_periodic(
            "enrolment.idempotency_purge",
            idempotency_purge,
            every=timedelta(hours=1),
            description="delete Idempotency-Keys and form tokens older than 24 hours",
        )

    def _give_the_root_its_agreement(self) -> None:
        from django.db.models.signals import post_migrate

        from tuoguan.orgs.services import on_root_created

        # Created with the national union, and after `migrate` for a tree built before.
        on_root_created(_agreement_after_migrate)
        post_migrate.connect(_agreement_after_migrate, sender=self)


def _agreement_after_migrate(*_args: object, **_kwargs: object) -> None:
    from .services.agreements import agreement_template_ensure_default

    agreement_template_ensure_default()
