"""The care agreement (托管协议): versioned templates per union, and the guardian's signature.

The version that governs an enrolment is the one in force on the term's first day
(`enrolment/agreement_templates.py`), so a new version asks every family of a term that has
not started yet for a new signature, and never unsettles a running term. Whether it is
signed is read by `enrolment/paperwork_status.py`.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tuoguan.core.fonts import validate_printable
from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, covers, require

from ..agreement_templates import (
    NATIONAL_DEFAULT_BODY,
    NATIONAL_DEFAULT_FROM,
    NATIONAL_DEFAULT_TITLE,
    agreement_template_for,
    template_for_enrolment,
)
from ..models import ACTIVE_STATUSES, Agreement, AgreementTemplate, Enrolment
from ..paperwork_status import agreement_current, check_paperwork_open
from ..permissions import is_family
from .paperwork import enrolment_sync_confirmation, paperwork_url

# Re-exported: the pages and the API read them from here.
__all__ = [
    "agreement_current",
    "agreement_template_for",
    "check_paperwork_open",
    "template_for_enrolment",
]

PLACEHOLDERS = (
    "child",
    "guardian",
    "program",
    "term",
    "start",
    "end",
    "hours",
    "host",
    "venue",
    "fee",
)
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
# --- Templates: list and publish ---------------------------------------------------------------


def can_publish_template(actor: Actor, org: Org) -> bool:
    return actor.is_admin and covers(actor, org)


def agreement_templates_of(org: Org) -> QuerySet[AgreementTemplate]:
    """The versions a union published itself, newest first."""
    return AgreementTemplate.objects.filter(org=org).order_by("-version")


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def _check_template(title: str, body: str, effective_from: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the agreement a title.")
    elif len(title.strip()) > 200:
        errors["title"] = _("The title is longer than 200 characters.")
    if len(body.strip()) < 50:
        errors["body"] = _("The agreement text is too short to be an agreement.")
    elif unknown := unknown_placeholders(body):
        errors["body"] = _("Unknown placeholder(s): %(names)s. Use only: %(known)s.") % {
            "names": ", ".join(f"{{{n}}}" for n in unknown),
            "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
        }
    for name, value in (("title", title), ("body", body)):
        if name not in errors:
            try:
                validate_printable(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if not isinstance(effective_from, datetime.date):
        errors["effective_from"] = _("Enter the date from which the new version applies.")
    elif effective_from < timezone.localdate():
        # A past date would ask families of running terms to sign again mid-term.
        errors["effective_from"] = _("A new version can take effect today at the earliest.")
    return errors


@transaction.atomic
def agreement_template_publish(
    *, actor: Actor, org: Org, title: str, body: str, effective_from: datetime.date
) -> AgreementTemplate:
    """Publish the next version of `org`'s agreement; families of affected terms re-sign."""
    require(can_publish_template(actor, org))
    errors = _check_template(title, body, effective_from)
    if errors:
        raise ValidationError(errors)
    Org.objects.select_for_update().filter(pk=org.pk).first()  # serialises the numbering
    top = AgreementTemplate.objects.filter(org=org).aggregate(top=Max("version"))["top"]
    template = AgreementTemplate.objects.create(
        org=org,
        version=(top or 0) + 1,
        title=title.strip(),
        body=body.strip(),
        effective_from=effective_from,
    )
    transaction.on_commit(lambda: _enqueue_resync(template.pk))
    return template


def _enqueue_resync(template_id: int) -> None:
    agreement_resync.enqueue(template_id)


@task()
def agreement_resync(template_id: int) -> int:
    """Background half of a publish: a national version can concern thousands of families."""
    template = AgreementTemplate.objects.select_related("org").filter(pk=template_id).first()
    if template is None:
        return 0
    return agreement_resync_for_template(template=template)


def agreement_resync_for_template(*, template: AgreementTemplate) -> int:
    """Un-confirm and tell the families of terms that the new version now governs.

    Only terms that have not ended and start on or after the version's effective date;
    a lower union with a template of its own keeps it (nearest wins).
    """
    today = timezone.localdate()
    enrolments = (
        Enrolment.objects.filter(
            term__program__host__path__startswith=template.org.path,
            term__start_date__gte=template.effective_from,
            term__end_date__gte=today,
            status__in=ACTIVE_STATUSES,
        )
        .select_related("term__program__host", "child", "guardian__user")
        .order_by("term_id", "pk")
    )
    governing: dict[int, bool] = {}
    told = 0
    for enrolment in enrolments.iterator(chunk_size=500):
        term = enrolment.term
        if term.pk not in governing:
            current = agreement_template_for(term.program.host, term.start_date)
            governing[term.pk] = current is not None and current.pk == template.pk
        signed = set(enrolment.agreements.values_list("template_id", flat=True))
        # Families who never signed are asked by their checklist; only re-signing is news.
        if not governing[term.pk] or not signed or template.pk in signed:
            continue
        with transaction.atomic():
            enrolment_sync_confirmation(enrolment=enrolment)
            notify(
                recipient=enrolment.guardian.user,
                subject=_("Please sign the new care agreement for %(child)s")
                % {"child": enrolment.child.name},
                body=_(
                    "%(org)s published a new version of the care agreement for %(term)s. "
                    "The place is confirmed again once you sign it."
                )
                % {"org": template.org, "term": term},
                url=paperwork_url(enrolment),
            )
        told += 1
    return told


# --- The legal text ----------------------------------------------------------------------------

# One legal text: the agreement is read, signed and printed in Chinese whatever the
# interface language (the page may add a translation beside it, never instead of it).
CONTRACT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class LegalText:
    """What the guardian agrees to: the page before signing and the PDF both render this."""

    title: str
    body: str
    consent: str

    def paragraphs(self) -> list[str]:
        return self.body.splitlines()


def consent_sentence() -> str:
    with translation.override(CONTRACT_LANGUAGE):
        return _("I have read and agree to this agreement.")


def legal_text(template: AgreementTemplate, enrolment: Enrolment) -> LegalText:
    """The text to be signed: the governing version filled in for this enrolment."""
    return LegalText(template.title, agreement_fill(template, enrolment), consent_sentence())


def signed_legal_text(agreement: Agreement) -> LegalText:
    """The text as signed (frozen at signing: later edits of the template never change it)."""
    return LegalText(agreement.template.title, agreement.text, consent_sentence())


# --- Filling and signing --------------------------------------------------------------------


def _fee_text(program: Any) -> str:
    amount = program.fee_amount
    if amount is not None:
        amount = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount:f}"
    if program.fee_policy == "fee" and amount is not None:
        return _("A fee of %(amount)s yuan per child") % {"amount": amount}
    if program.fee_policy == "living_costs" and amount is not None:
        return _("Living costs only: %(amount)s yuan per child") % {"amount": amount}
    return _("Free of charge")


def agreement_values(enrolment: Enrolment) -> dict[str, str]:
    """What the placeholders stand for, taken from the term (dates as YYYY-MM-DD)."""
    term = enrolment.term
    program = term.program
    venue = term.venue
    return {
        "child": enrolment.child.name,
        "guardian": enrolment.guardian.user.real_name,
        "program": program.name,
        "term": term.name,
        "start": term.start_date.isoformat(),
        "end": term.end_date.isoformat(),
        "hours": f"{term.daily_start:%H:%M}–{term.daily_end:%H:%M}",
        "host": program.host.name,
        "venue": f"{venue.name}（{venue.address}）" if venue is not None else _("Online"),
        "fee": _fee_text(program),
    }


def agreement_fill(template: AgreementTemplate, enrolment: Enrolment) -> str:
    """The template with its placeholders filled, in the contract's language (fees too)."""
    with translation.override(CONTRACT_LANGUAGE):
        values = agreement_values(enrolment)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)


@transaction.atomic
def agreement_sign(
    *, actor: Actor, enrolment: Enrolment, signer_name: str, consent: bool, ip: str | None
) -> Agreement:
    """The guardian signs the governing version: typed real name, consent box, time and IP."""
    require(is_family(actor, enrolment))
    check_paperwork_open(enrolment)
    errors: dict[str, str] = {}
    expected = enrolment.guardian.user.real_name.strip()
    if (signer_name or "").strip() != expected:
        errors["signer_name"] = _(
            "Type your real name exactly as registered (%(name)s) to sign."
        ) % {"name": expected}
    if consent is not True:
        errors["consent"] = _("Tick the box to agree to the agreement.")
    if errors:
        raise ValidationError(errors)
    template = template_for_enrolment(enrolment)
    if template is None:
        raise ValidationError(_("No care agreement has been published for this class yet."))
    existing = enrolment.agreements.filter(template=template).first()
    if existing is not None:
        return existing
    agreement = Agreement.objects.create(
        enrolment=enrolment,
        template=template,
        text=agreement_fill(template, enrolment),
        signer=actor.user,
        signer_name=expected,
        consent=True,
        ip=ip,
    )
    enrolment_sync_confirmation(enrolment=enrolment)
    return agreement


@transaction.atomic
def agreement_template_ensure_default() -> AgreementTemplate | None:
    """The national union's default agreement; created once, None without a root union."""
    root = Org.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return None
    existing = AgreementTemplate.objects.filter(org=root).order_by("-version").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AgreementTemplate.objects.create(
                org=root,
                version=1,
                title=NATIONAL_DEFAULT_TITLE,
                body=NATIONAL_DEFAULT_BODY,
                effective_from=NATIONAL_DEFAULT_FROM,
            )
    except IntegrityError:
        # Created concurrently by another first request: use that one.
        return AgreementTemplate.objects.get(org=root, version=1)
