"""The life of a term: draft → submitted → approved → enrolling → running → closed.

A submitted term is approved or rejected (with a reason) by a union above its host; a
rejected term goes back to draft to be edited and resubmitted. Every transition is saved
through AuditedModel (so it is in the log) and tells the people concerned.
"""

from collections.abc import Collection, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Membership, Role
from tuoguan.orgs.permissions import Actor, require

from ..compliance import term_compliance
from ..models import ProgramType, Term, TermStatus
from ..permissions import HOST_ROLES, can_approve_term, can_manage_term

S = TermStatus
# Statuses from which a change of places, venue, dates or type needs a new approval.
APPROVED_STATES = frozenset({S.APPROVED, S.ENROLLING})


def _locked(term: Term) -> Term:
    return Term.objects.select_for_update().select_related("program__host").get(pk=term.pk)


def _refuse(term: Term, action: str) -> ValidationError:
    return ValidationError(
        _("A term that is %(status)s cannot be %(action)s.")
        % {"status": term.get_status_display().lower(), "action": action}
    )


def _move(actor: Actor, term: Term, *, since: Collection[str], to: TermStatus, action: str) -> Term:
    """A host's step that only changes the status (from one of `since`): no one is told."""
    require(can_manage_term(actor, term))
    term = _locked(term)
    if term.status not in since:
        raise _refuse(term, action)
    term.status = to
    term.save()
    return term


# --- Who hears about it --------------------------------------------------------------------


def host_staff(term: Term) -> list[Any]:
    """Admins and class managers of the host union."""
    memberships = Membership.objects.filter(
        org=term.program.host, role__in=HOST_ROLES, is_active=True
    ).select_related("user")
    return [m.user for m in memberships]


def approvers(term: Term) -> list[Any]:
    """Admins of the nearest union above the host that has any."""
    host = term.program.host
    paths = [host.path[:i] for i in range(host.steplen, len(host.path), host.steplen)]
    memberships = (
        Membership.objects.filter(
            org__path__in=paths, role=Role.UNION_ADMIN, is_active=True, org__is_active=True
        )
        .select_related("user", "org")
        .order_by("-org__depth")
    )
    nearest = None
    users = []
    for membership in memberships:
        if nearest is None:
            nearest = membership.org.depth
        if membership.org.depth == nearest:
            users.append(membership.user)
    return users


def tell(users: Iterable[Any], *, actor: Actor | None, subject: str, body: str = "") -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or (actor is not None and user.pk == actor.user.pk):
            continue
        seen.add(user.pk)
        notify(recipient=user, subject=subject, body=body)


# --- Transitions -----------------------------------------------------------------------------


@transaction.atomic
def term_submit(*, actor: Actor, term: Term) -> Term:
    require(can_manage_term(actor, term))
    term = _locked(term)
    if term.status != S.DRAFT:
        raise _refuse(term, _("submitted"))
    if term.venue_id is None and term.program.type != ProgramType.ONLINE:
        raise ValidationError({"venue": _("Choose the venue where the class runs.")})
    term.status, term.submitted_at = S.SUBMITTED, timezone.now()
    term.rejection_reason = ""
    term.save()
    tell(
        approvers(term),
        actor=actor,
        subject=_("Class term awaiting approval: %(term)s") % {"term": term},
        body=_("%(host)s submitted this term for approval.") % {"host": term.program.host},
    )
    return term


def approval_failures(term: Term) -> list[dict[str, str]]:
    """The criteria the term fails now, as the approval records them (code, label, why)."""
    return [
        {"code": row.criterion.code, "label": row.criterion.label, "detail": row.detail}
        for row in term_compliance(term).failing
    ]


def _labels(failures: list[dict[str, str]]) -> str:
    # The list separator is translated: "、" between Chinese labels.
    return _(", ").join(f["label"] for f in failures)


def _check_despite(failures: list[dict[str, str]], confirm_failures: bool, note: str) -> None:
    if not failures:
        return
    labels = _labels(failures)
    if not confirm_failures:
        message = ngettext(
            "The term fails %(count)s criterion (%(labels)s). To approve it all the same, "
            "confirm that you approve it despite the failure and say why in a note.",
            "The term fails %(count)s criteria (%(labels)s). To approve it all the same, "
            "confirm that you approve it despite the failures and say why in a note.",
            len(failures),
        ) % {"count": len(failures), "labels": labels}
        raise ValidationError({"confirm_failures": message})
    if not note:
        raise ValidationError(
            {"note": _("Say why you approve a term that fails %(labels)s.") % {"labels": labels}}
        )


@transaction.atomic
def term_approve(
    *, actor: Actor, term: Term, confirm_failures: bool = False, note: str = ""
) -> Term:
    """Approve a submitted term; one that fails a criterion needs `confirm_failures` and a
    `note`, and the approval records the criteria it failed."""
    require(can_approve_term(actor, term))
    term = _locked(term)
    if term.status != S.SUBMITTED:
        raise _refuse(term, _("approved"))
    note = (note or "").strip()[:2000]
    failures = approval_failures(term)
    _check_despite(failures, confirm_failures, note)
    term.status, term.decided_at, term.decided_by = S.APPROVED, timezone.now(), actor.user
    term.approved_despite, term.approval_note = failures, note
    term.save()
    body = ""
    if failures:
        body = _("Approved despite failing: %(labels)s. The approver's note: %(note)s") % {
            "labels": _labels(failures),
            "note": note,
        }
    tell(
        host_staff(term),
        actor=actor,
        subject=_("Class term approved: %(term)s") % {"term": term},
        body=body,
    )
    return term


@transaction.atomic
def term_reject(*, actor: Actor, term: Term, reason: str) -> Term:
    require(can_approve_term(actor, term))
    term = _locked(term)
    if term.status != S.SUBMITTED:
        raise _refuse(term, _("rejected"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the term is rejected.")})
    term.status, term.decided_at, term.decided_by = S.REJECTED, timezone.now(), actor.user
    term.rejection_reason = reason
    term.approved_despite, term.approval_note = [], ""
    term.save()
    tell(
        host_staff(term),
        actor=actor,
        subject=_("Class term rejected: %(term)s") % {"term": term},
        body=reason,
    )
    return term


@transaction.atomic
def term_redraft(*, actor: Actor, term: Term) -> Term:
    """Take a rejected term back to draft, to edit and resubmit it."""
    return _move(actor, term, since={S.REJECTED}, to=S.DRAFT, action=_("taken back to draft"))


@transaction.atomic
def term_open_enrolment(*, actor: Actor, term: Term) -> Term:
    return _move(actor, term, since={S.APPROVED}, to=S.ENROLLING, action=_("opened for enrolment"))


@transaction.atomic
def term_start(*, actor: Actor, term: Term) -> Term:
    """The class begins; a class without enrolment may start straight after approval."""
    return _move(actor, term, since=APPROVED_STATES, to=S.RUNNING, action=_("started"))


@transaction.atomic
def term_close(*, actor: Actor, term: Term, summary: str) -> Term:
    """结营: the term ends with a summary of what it achieved."""
    require(can_manage_term(actor, term))
    term = _locked(term)
    if term.status != S.RUNNING:
        raise _refuse(term, _("closed"))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"closing_summary": _("Write a closing summary.")})
    term.status, term.closing_summary, term.closed_at = S.CLOSED, summary, timezone.now()
    term.save()
    tell(
        approvers(term),
        actor=actor,
        subject=_("Class term closed: %(term)s") % {"term": term},
        body=summary,
    )
    return term


@transaction.atomic
def term_reopen_approval(*, actor: Actor, term: Term, changed: list[str]) -> Term:
    """After approval, a change of places, venue, dates or type needs approving again."""
    require(can_manage_term(actor, term))
    term = _locked(term)
    if term.status not in APPROVED_STATES:
        return term
    term.status, term.submitted_at = S.SUBMITTED, timezone.now()
    term.decided_at, term.decided_by = None, None
    term.approved_despite, term.approval_note = [], ""
    term.save()
    labels = ", ".join(str(_field_label(name)) for name in changed)
    subject = _("Class term needs approval again: %(term)s") % {"term": term}
    body = _("Changed after approval: %(fields)s.") % {"fields": labels}
    tell([*approvers(term), *host_staff(term)], actor=actor, subject=subject, body=body)
    return term


def _field_label(name: str) -> Any:
    if name == "type":
        return _("type")
    return getattr(Term._meta.get_field(name), "verbose_name", name)
