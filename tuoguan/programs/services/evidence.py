"""Evidence for evidence criteria: uploaded by the class, reviewed by a union above it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.permissions import Actor, require

from ..models import Criterion, CriterionKind, Evidence, Term
from ..permissions import can_manage_term, can_review_evidence
from ..standards import term_standard
from .lifecycle import approvers, tell
from .programs import validated


@transaction.atomic
def evidence_upload(
    *, actor: Actor, term: Term, criterion: Criterion, file: Any, note: str = ""
) -> Evidence:
    """Attach a PDF, JPEG or PNG (≤ 5 MB; images re-encoded) to one criterion of the term."""
    require(can_manage_term(actor, term))
    if term.is_closed:
        raise ValidationError(_("A closed term cannot be changed."))
    standard = term_standard(term)
    if standard is None or criterion.standard_id != standard.pk:
        raise ValidationError(
            {"criterion": _("This criterion is not part of the term's standard.")}
        )
    if criterion.kind != CriterionKind.EVIDENCE:
        raise ValidationError({"criterion": _("This criterion is computed from data.")})
    clean = clean_upload(file, field="file")
    evidence = Evidence(
        term=term,
        criterion=criterion,
        note=note,
        uploaded_by=actor.user,
        content_type=clean.content_type,
        size=clean.size,
    )
    validated(evidence, exclude=["file"])
    # Storage is written only once everything else is known to be valid.
    evidence.file.save(clean.content.name or "", clean.content, save=False)
    evidence.save()
    tell(
        approvers(term),
        actor=actor,
        subject=_("Evidence to review: %(term)s") % {"term": term},
        body=str(criterion),
    )
    return evidence


@transaction.atomic
def evidence_review(
    *, actor: Actor, evidence: Evidence, accepted: bool, comment: str = ""
) -> Evidence:
    """Accept or reject; a rejection says why, so the class knows what to fix."""
    require(can_review_evidence(actor, evidence.term))
    evidence = (
        Evidence.objects.select_for_update().select_related("term__program").get(pk=evidence.pk)
    )
    comment = (comment or "").strip()
    if not accepted and not comment:
        raise ValidationError({"review_comment": _("Say why the evidence is rejected.")})
    evidence.status = Evidence.Status.ACCEPTED if accepted else Evidence.Status.REJECTED
    evidence.reviewer, evidence.reviewed_at = actor.user, timezone.now()
    evidence.review_comment = comment
    evidence.save()
    if evidence.uploaded_by is not None:
        subject = (
            _("Evidence accepted: %(criterion)s")
            if accepted
            else _("Evidence rejected: %(criterion)s")
        ) % {"criterion": evidence.criterion}
        tell([evidence.uploaded_by], actor=actor, subject=subject, body=comment)
    return evidence
