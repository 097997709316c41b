"""The state of an enrolment's paperwork: reads only, so every paperwork write may import it.

`paperwork_state_many` is the single definition of "complete": the checklist, the status
and the roster all read it. The writes (`services/paperwork.py`, `agreements.py`,
`insurance.py`, `health.py`, `pickups.py`) import this module and never the other way round.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoguan.accounts.models import ChildConsent
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import Actor, covers
from tuoguan.programs.compliance import MetricResult, Status, fact
from tuoguan.programs.models import Term, TermStaff
from tuoguan.programs.permissions import can_manage_term

from .agreement_templates import agreement_template_for, template_for_enrolment
from .models import (
    ACTIVE_STATUSES,
    Agreement,
    AgreementTemplate,
    Enrolment,
    EnrolmentStatus,
    HealthNote,
    Insurance,
    Pickup,
    RiskNoticeAck,
)

# Keys of the checklist shown to parents and managers, in the order they are asked for.
PAPERWORK_ITEMS: dict[str, Any] = {
    "consent": gettext_lazy("Guardian consent for the child's data"),
    "agreement": gettext_lazy("Care agreement signed"),
    "insurance": gettext_lazy("Accident insurance covering the whole term"),
    "pickup": gettext_lazy("At least one pickup person"),
    "health": gettext_lazy("Health note declared"),
    "risk_notice": gettext_lazy("Risk notice acknowledged"),
}
SEATED = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)

State = dict[str, tuple[bool, str]]


@dataclass(frozen=True)
class Item:
    """One line of the checklist: done or not, why not, and where to complete it."""

    key: str
    label: str
    done: bool
    detail: str
    url: str
    # The family may still change a done item (else its link only shows it).
    changeable: bool = False
    # Staff: where to accept the family's insurance cover (POST), when they may.
    accept_url: str = ""


def risk_notice_digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


# --- The state of every item, for many enrolments in a bounded number of queries -------------


class _Facts:
    """What the checks read, fetched once for a batch of enrolments."""

    def __init__(self, enrolments: Sequence[Enrolment]) -> None:
        ids = [e.pk for e in enrolments]
        child_ids = {e.child_id for e in enrolments}
        self.consented = set(
            ChildConsent.objects.filter(
                child_id__in=child_ids, withdrawn_at__isnull=True, policy__is_current=True
            ).values_list("child_id", flat=True)
        )
        self.signed: dict[int, set[int]] = defaultdict(set)
        for enrolment_id, template_id in Agreement.objects.filter(enrolment_id__in=ids).values_list(
            "enrolment_id", "template_id"
        ):
            self.signed[enrolment_id].add(template_id)
        self.covers: dict[int, list[Insurance]] = defaultdict(list)
        for cover in Insurance.objects.filter(child_id__in=child_ids).order_by("-ends_on", "pk"):
            self.covers[cover.child_id].append(cover)
        self.with_pickup = set(
            Pickup.objects.filter(child_id__in=child_ids, is_active=True).values_list(
                "child_id", flat=True
            )
        )
        self.declared = set(
            HealthNote.objects.filter(enrolment_id__in=ids, declared=True).values_list(
                "enrolment_id", flat=True
            )
        )
        self.acks: dict[int, set[str]] = defaultdict(set)
        for enrolment_id, digest in RiskNoticeAck.objects.filter(enrolment_id__in=ids).values_list(
            "enrolment_id", "notice_digest"
        ):
            self.acks[enrolment_id].add(digest)
        self._templates: dict[tuple[int, Any], AgreementTemplate | None] = {}

    def template(self, enrolment: Enrolment) -> AgreementTemplate | None:
        term = enrolment.term
        key = (term.program.host_id, term.start_date)
        if key not in self._templates:
            self._templates[key] = agreement_template_for(term.program.host, term.start_date)
        return self._templates[key]


def _agreement(enrolment: Enrolment, facts: _Facts) -> tuple[bool, str]:
    template = facts.template(enrolment)
    if template is None:
        return False, _("The union has not published a care agreement yet.")
    signed = facts.signed.get(enrolment.pk, set())
    if template.pk in signed:
        return True, _("Version %(version)s signed.") % {"version": template.version}
    if signed:
        return False, _(
            "The agreement changed (version %(version)s): read it and sign it again."
        ) % {"version": template.version}
    return False, _("Read the care agreement and sign it online.")


def _risk_notice(enrolment: Enrolment, facts: _Facts) -> tuple[bool, str] | None:
    notice = (enrolment.term.program.risk_notice or "").strip()
    if not notice:
        return None
    acks = facts.acks.get(enrolment.pk, set())
    if risk_notice_digest(notice) in acks:
        return True, _("Acknowledged.")
    if acks:
        return False, _("The risk notice changed: read it and acknowledge it again.")
    return False, _("Read the class's risk notice and acknowledge it.")


def _state(enrolment: Enrolment, facts: _Facts) -> State:
    term = enrolment.term
    child_id = enrolment.child_id
    state: State = {}
    state["consent"] = (
        (True, _("Given."))
        if child_id in facts.consented
        else (False, _("Give your consent to the processing of the child's data."))
    )
    state["agreement"] = _agreement(enrolment, facts)
    state["insurance"] = insurance_status(
        facts.covers.get(child_id, []), term.start_date, term.end_date
    )
    state["pickup"] = (
        (True, "")
        if child_id in facts.with_pickup
        else (False, _("Name at least one person who may collect the child."))
    )
    state["health"] = (
        (True, _("Declared."))
        if enrolment.pk in facts.declared
        else (False, _("Fill in allergies, conditions and medication, and declare them."))
    )
    risk = _risk_notice(enrolment, facts)
    if risk is not None:
        state["risk_notice"] = risk
    return state


def paperwork_state_many(enrolments: Iterable[Enrolment]) -> dict[int, State]:
    """{enrolment pk: {item key: (done, detail)}}; items that do not apply are absent.

    The enrolments should come with `term__program__host` selected (the selectors do).
    """
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    facts = _Facts(enrolments)
    return {e.pk: _state(e, facts) for e in enrolments}


def paperwork_missing_many(enrolments: Iterable[Enrolment]) -> dict[int, list[str]]:
    """{enrolment pk: keys still missing}: the roster's paperwork column in a few queries."""
    return {
        pk: [key for key, (done, _detail) in state.items() if not done]
        for pk, state in paperwork_state_many(enrolments).items()
    }


def paperwork_missing(enrolment: Enrolment) -> list[str]:
    """Keys of PAPERWORK_ITEMS still missing for this enrolment (empty when complete)."""
    return paperwork_missing_many([enrolment])[enrolment.pk]


# --- The checklist ---------------------------------------------------------------------------


def paperwork_url(enrolment: Enrolment) -> str:
    return reverse("enrolment:paperwork", kwargs={"pk": enrolment.pk})


def _guardian_url(key: str, enrolment: Enrolment) -> str:
    back = "?" + urlencode({"next": paperwork_url(enrolment)})
    match key:
        case "consent":
            return reverse("accounts:consent_grant", kwargs={"pk": enrolment.child_id})
        case "agreement":
            return reverse("enrolment:agreement_sign", kwargs={"pk": enrolment.pk})
        case "insurance":
            return (
                reverse("enrolment:insurance_add", kwargs={"child_pk": enrolment.child_id}) + back
            )
        case "pickup":
            return reverse("enrolment:pickup_list", kwargs={"child_pk": enrolment.child_id}) + back
        case "health":
            return reverse("enrolment:health_edit", kwargs={"pk": enrolment.pk})
        case _:
            return reverse("enrolment:risk_ack", kwargs={"pk": enrolment.pk})


def _staff_url(key: str, done: bool, enrolment: Enrolment, actor: Actor | None) -> tuple[str, str]:
    """(link, note): managers read what is done; only the family completes what is missing.

    A link is given only to what the reader may open now; otherwise the note says when.
    """
    if not done:
        return "", ""
    if key == "agreement":
        agreement = agreement_current(enrolment)
        url = reverse("enrolment:agreement_pdf", kwargs={"pk": agreement.pk}) if agreement else ""
        return url, ""
    if key == "health":
        closed = health_note_closed(actor, enrolment) if actor is not None else ""
        if closed:
            return "", closed
        return reverse("enrolment:health_view", kwargs={"pk": enrolment.pk}), ""
    return "", ""


def _covering(enrolment: Enrolment) -> Insurance | None:
    term = enrolment.term
    covers = Insurance.objects.filter(child_id=enrolment.child_id).order_by("-ends_on", "pk")
    return next((c for c in covers if c.covers(term.start_date, term.end_date)), None)


def _changeable(key: str, done: bool, enrolment: Enrolment) -> bool:
    """Whether a done item can still be changed by the family (offered as "change")."""
    if not done:
        return False
    if key == "insurance":
        cover = _covering(enrolment)
        return cover is not None and cover.is_changeable
    return key in ("pickup", "health")


def _accept_url(key: str, done: bool, enrolment: Enrolment, actor: Actor | None) -> str:
    if key != "insurance" or not done or actor is None:
        return ""
    cover = _covering(enrolment)
    if cover is None or cover.accepted_at is not None or not can_accept_cover(actor, cover):
        return ""
    return reverse("enrolment:insurance_accept", kwargs={"pk": cover.pk})


def paperwork_checklist(
    enrolment: Enrolment, *, staff: bool = False, actor: Actor | None = None
) -> list[Item]:
    """The items for this enrolment, in order, with what is missing and where to do it.

    `staff=True` gives managers' links (the signed PDF, the health note when `actor` may
    read it, accepting the insurance cover) instead of the family's forms.
    """
    state = paperwork_state_many([enrolment])[enrolment.pk]
    items = []
    for key, label in PAPERWORK_ITEMS.items():
        if key not in state:
            continue
        done, detail = state[key]
        changeable, accept_url = False, ""
        if staff:
            url, note = _staff_url(key, done, enrolment, actor)
            detail = " ".join(part for part in (detail, note) if part)
            accept_url = _accept_url(key, done, enrolment, actor)
        else:
            url = _guardian_url(key, enrolment)
            changeable = _changeable(key, done, enrolment)
        items.append(
            Item(key, str(label), done, detail, url, changeable=changeable, accept_url=accept_url)
        )
    return items


# --- Risk notice ---------------------------------------------------------------------------


def risk_notice_acknowledged(enrolment: Enrolment) -> bool:
    notice = (enrolment.term.program.risk_notice or "").strip()
    return (
        bool(notice)
        and enrolment.risk_acks.filter(notice_digest=risk_notice_digest(notice)).exists()
    )


# --- Agreement, insurance and the window for paperwork ---------------------------------------


def agreement_current(enrolment: Enrolment) -> Agreement | None:
    """The signature on the version that governs the enrolment, if given."""
    template = template_for_enrolment(enrolment)
    if template is None:
        return None
    return enrolment.agreements.filter(template=template).select_related("template").first()


def check_paperwork_open(enrolment: Enrolment) -> None:
    """Paperwork is for live applications of terms that have not ended."""
    if enrolment.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _("This application is %(status)s; there is no paperwork to complete.")
            % {"status": enrolment.get_status_display().lower()}
        )
    if enrolment.term.end_date < timezone.localdate():
        raise ValidationError(_("This term has ended."))


def insurance_status(
    covers: Sequence[Insurance], start: datetime.date, end: datetime.date
) -> tuple[bool, str]:
    """(covered, reason): whether one cover spans `start`..`end`, and if not, why not."""
    if not covers:
        return False, _("No accident insurance has been entered yet.")
    for cover in covers:
        if cover.starts_on <= start and cover.ends_on >= end:
            return True, _("Policy %(number)s (%(insurer)s), %(from)s to %(to)s.") % _facts(cover)
    overlapping = [c for c in covers if c.starts_on <= end and c.ends_on >= start]
    if not overlapping:
        return False, _(
            "Policy %(number)s runs from %(from)s to %(to)s and does not cover the term "
            "(%(start)s to %(end)s)."
        ) % {**_facts(covers[0]), "start": date_format(start), "end": date_format(end)}
    best = max(overlapping, key=lambda c: (min(c.ends_on, end) - max(c.starts_on, start)).days)
    if best.ends_on < end:
        return False, _(
            "Policy %(number)s expires on %(to)s, before the term's last day (%(end)s): "
            "renew it or add a cover for the rest of the term."
        ) % {**_facts(best), "end": date_format(end)}
    return False, _(
        "Policy %(number)s starts on %(from)s, after the term's first day (%(start)s): "
        "the first days are not covered."
    ) % {**_facts(best), "start": date_format(start)}


def _facts(cover: Insurance) -> dict[str, str]:
    return {
        "number": cover.policy_number,
        "insurer": cover.insurer,
        "from": date_format(cover.starts_on),
        "to": date_format(cover.ends_on),
    }


# --- The construction standard's "agreement and insurance for every admitted child" ----------


def agreements_insurance_counts(terms: Sequence[Any]) -> dict[int, tuple[int, int]]:
    """{term pk: (seated children with both a signed agreement and covering insurance, seated)}.

    Registered with `programs.compliance` as a fact, so a compliance list of many terms reads
    it in one batch.
    """
    enrolments = Enrolment.objects.filter(
        term__in=[t.pk for t in terms], status__in=SEATED
    ).select_related("term__program__host")
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    states = paperwork_state_many(enrolments)
    for enrolment in enrolments:
        state = states[enrolment.pk]
        counts[enrolment.term_id][1] += 1
        if state["agreement"][0] and state["insurance"][0]:
            counts[enrolment.term_id][0] += 1
    return {pk: (both, seated) for pk, (both, seated) in counts.items()}


def agreements_insurance_metric(term: Any, criterion: Any) -> MetricResult:
    """The share of admitted children with both papers, against the criterion's threshold."""
    both, seated = fact(term, "agreements_insurance") or (0, 0)
    if not seated:
        return MetricResult(None, Status.PENDING, _("No child has been admitted yet."))
    share = (Decimal(100 * both) / seated).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    threshold = criterion.threshold if criterion.threshold is not None else Decimal(100)
    detail = _(
        "%(both)s of %(seated)s admitted children have a signed care agreement and accident "
        "insurance covering the term."
    ) % {"both": both, "seated": seated}
    return MetricResult(share, Status.PASS if share >= threshold else Status.FAIL, detail)


# --- Who may open what now (the checklist links only to what its reader may open) -----------

CARER_MEMBERSHIP_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.CAREGIVER})


def is_class_caregiver(actor: Actor, enrolment: Enrolment) -> bool:
    term = enrolment.term
    if actor.has_role(CARER_MEMBERSHIP_ROLES) and covers(actor, term.program.host):
        return True
    return TermStaff.objects.filter(term=term, user=actor.user).exists()


def health_note_closed(actor: Actor, enrolment: Enrolment) -> str:
    """Why a staff member may not read the note now ("" when they may): said instead of a
    link that would only refuse them."""
    if not is_class_caregiver(actor, enrolment):
        return _("Only the caregivers of the class may read health notes.")
    term = enrolment.term
    today = timezone.localdate()
    if today < term.start_date:
        return _(
            "The class's caregivers can read the health note from %(start)s, the first day."
        ) % {"start": date_format(term.start_date)}
    if today > term.end_date:
        return _(
            "Health notes can be read only while the term runs, from %(start)s to %(end)s."
        ) % {
            "start": date_format(term.start_date),
            "end": date_format(term.end_date),
        }
    return ""


def can_accept_cover(actor: Actor, cover: Insurance) -> bool:
    """The managers of a class the child has an active place or application in."""
    terms = Term.objects.filter(
        enrolments__child_id=cover.child_id, enrolments__status__in=ACTIVE_STATUSES
    ).select_related("program__host")
    return any(can_manage_term(actor, term) for term in terms)
