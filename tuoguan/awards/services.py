"""Writes of selection campaigns and entries: keyword-only, atomic, checked, audited.

Every row is an `AuditedModel`, so each create and change lands in the audit log.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.models import Membership, Org, Role
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Term

from .models import (
    CONDITION_DEFAULTS,
    DEFAULT_RUBRIC,
    Campaign,
    CampaignLevel,
    CampaignStatus,
    Condition,
    Designation,
    Nomination,
    NominationFile,
    NominationStatus,
    Recommendation,
    Reviewer,
    RubricItem,
    Score,
    Scorecard,
)
from .permissions import (
    can_assign_reviewers,
    can_create_campaign,
    can_enter,
    can_manage_campaign,
    can_score,
    can_withdraw,
    deciding_org,
    reviewer_of,
)

# The writable fields of a campaign, read by its form, its serializer and these services.
CAMPAIGN_FIELDS = (
    "title",
    "year",
    "quota",
    "recommend_quota",
    "grant_fen",
    "applications_open",
    "applications_close",
    "review_close",
    "notice_days",
    "requires_lower_designation",
    "tie_break",
    "questions",
)
ENTRY_FIELDS = ("answers", "video_url")
MAX_QUESTIONS = 10
MAX_ANSWER = 2000


def _check_dates(fields: dict[str, Any], level: int | None = None) -> None:
    errors = {}
    if fields.get("requires_lower_designation") and level == CampaignLevel.CITY:
        errors["requires_lower_designation"] = _("No designation lies below the city level.")
    if fields["applications_close"] < fields["applications_open"]:
        errors["applications_close"] = _("Entries must close after they open.")
    if fields["review_close"] < fields["applications_close"]:
        errors["review_close"] = _("The review must close after entries close.")
    if errors:
        raise ValidationError(errors)


def _clean_questions(questions: Any) -> list[str]:
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise ValidationError({"questions": _("Give the questions as a list of texts.")})
    cleaned = [q.strip() for q in questions if q.strip()]
    if len(cleaned) > MAX_QUESTIONS or any(len(q) > 200 for q in cleaned):
        raise ValidationError(
            {"questions": _("At most %(n)s questions of 200 characters.") % {"n": MAX_QUESTIONS}}
        )
    return cleaned


@transaction.atomic
def campaign_create(*, actor: Actor, **fields: Any) -> Campaign:
    """A draft campaign of the actor's union, with the default conditions and rubric."""
    require(can_create_campaign(actor))
    organiser: Org = actor.org  # type: ignore[assignment]
    data = {name: fields[name] for name in CAMPAIGN_FIELDS if name in fields}
    data["questions"] = _clean_questions(data.get("questions", []))
    _check_dates(data, organiser.level)
    if Campaign.objects.filter(organiser=organiser, year=data["year"]).exists():
        raise ValidationError({"year": _("Your union already has a campaign for this year.")})
    campaign = Campaign(organiser=organiser, level=organiser.level, created_by=actor.user, **data)
    campaign.full_clean()
    campaign.save()
    for kind, (threshold, veto, _at_least) in CONDITION_DEFAULTS.items():
        Condition.objects.create(campaign=campaign, kind=kind, threshold=threshold, is_veto=veto)
    for position, (name, points) in enumerate(DEFAULT_RUBRIC):
        RubricItem.objects.create(
            campaign=campaign, name=str(name), points=points, position=position
        )
    return campaign


def _editable(actor: Actor, campaign: Campaign) -> Campaign:
    require(can_manage_campaign(actor, campaign))
    locked = Campaign.objects.select_for_update().select_related("organiser").get(pk=campaign.pk)
    if locked.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        raise ValidationError(_("The campaign is under review: its rules no longer change."))
    return locked


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: Campaign, **fields: Any) -> Campaign:
    locked = _editable(actor, campaign)
    for name in CAMPAIGN_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.questions = _clean_questions(locked.questions)
    _check_dates({n: getattr(locked, n) for n in CAMPAIGN_FIELDS}, locked.level)
    if (
        Campaign.objects.filter(organiser=locked.organiser, year=locked.year)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ValidationError({"year": _("Your union already has a campaign for this year.")})
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def condition_update(
    *, actor: Actor, condition: Condition, threshold: Decimal, is_veto: bool
) -> Condition:
    _editable(actor, condition.campaign)
    if threshold < 0:
        raise ValidationError({"threshold": _("A threshold is never negative.")})
    condition.threshold = threshold
    condition.is_veto = is_veto
    condition.full_clean()
    condition.save()
    return condition


@transaction.atomic
def rubric_set(*, actor: Actor, campaign: Campaign, items: Sequence[tuple[str, int]]) -> Campaign:
    """Replace the rubric with `items` (name, points), in that order."""
    locked = _editable(actor, campaign)
    cleaned = [(name.strip(), points) for name, points in items if name.strip()]
    if not cleaned:
        raise ValidationError({"items": _("A rubric needs at least one item.")})
    if any(not 1 <= points <= 100 for _name, points in cleaned):
        raise ValidationError({"items": _("Each item is worth 1 to 100 points.")})
    locked.rubric.all().delete()
    for i, (name, points) in enumerate(cleaned):
        RubricItem.objects.create(campaign=locked, name=name[:80], points=points, position=i)
    return locked


@transaction.atomic
def campaign_open(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Open a draft campaign for entries."""
    locked = _editable(actor, campaign)
    if locked.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft campaign is opened."))
    if not locked.rubric.exists():
        raise ValidationError(_("Give the rubric at least one item first."))
    locked.status = CampaignStatus.OPEN
    locked.save()
    return locked


# --- Entries ---------------------------------------------------------------------------------


def _clean_answers(campaign: Campaign, answers: Any) -> dict[str, str]:
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Answer each question of the campaign.")})
    cleaned = {}
    for question in campaign.questions:
        text = answers.get(question, "")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise ValidationError({"answers": _("Answer: %(q)s") % {"q": question}})
        if len(text) > MAX_ANSWER:
            raise ValidationError(
                {"answers": _("An answer is at most %(n)s characters.") % {"n": MAX_ANSWER}}
            )
        cleaned[question] = text
    return cleaned


def _parent(org: Org) -> Org:
    """The union above `org`; entries only ever sit strictly below the organiser, so one exists."""
    parent = Org.objects.get_parent(org)
    if parent is None:
        raise ValidationError(_("The national union has no union above it."))
    return parent


@transaction.atomic
def nomination_enter(
    *,
    actor: Actor,
    campaign: Campaign,
    term: Term,
    answers: dict[str, str],
    video_url: str = "",
    files: Sequence[Any] = (),
) -> Nomination:
    """Enter a class, for one of its terms, with its answers and materials.

    The entry waits at the host's parent for recommendation, or goes to review at once when
    that parent is the organiser.
    """
    campaign = Campaign.objects.select_for_update().select_related("organiser").get(pk=campaign.pk)
    program = term.program
    require(can_enter(actor, campaign, program))
    today = timezone.localdate()
    if not campaign.applications_open <= today <= campaign.applications_close:
        raise ValidationError(_("Entries are accepted only between the opening and closing dates."))
    if Nomination.objects.filter(campaign=campaign, program=program).exists():
        raise ValidationError({"term": _("This class has already entered the campaign.")})
    if (
        campaign.requires_lower_designation
        and not Designation.objects.filter(
            program=program, level=campaign.level + 1, revoked_at__isnull=True
        ).exists()
    ):
        raise ValidationError(
            {"term": _("Only a class designated at the level below may enter this campaign.")}
        )
    holder = _parent(program.host)
    entry = Nomination(
        campaign=campaign,
        term=term,
        program=program,
        holder=holder,
        status=(
            NominationStatus.IN_REVIEW
            if holder.pk == campaign.organiser_id
            else NominationStatus.PENDING
        ),
        answers=_clean_answers(campaign, answers),
        video_url=video_url,
        applied_by=actor.user,
    )
    entry.full_clean()
    entry.save()
    for upload in files:
        material_add(actor=actor, entry=entry, upload=upload)
    return entry


MAX_MATERIALS = 12


@transaction.atomic
def material_add(
    *, actor: Actor, entry: Nomination, upload: Any, title: str = ""
) -> NominationFile:
    require(can_withdraw(actor, entry))
    if entry.files.count() >= MAX_MATERIALS:
        raise ValidationError({"file": _("At most %(n)s files per entry.") % {"n": MAX_MATERIALS}})
    clean = clean_upload(upload)
    return NominationFile.objects.create(
        entry=entry, file=clean.content, content_type=clean.content_type, title=title[:120]
    )


def _recommended_by(campaign: Campaign, org: Org) -> int:
    return Recommendation.objects.filter(
        entry__campaign=campaign, org=org, recommended=True
    ).count()


@transaction.atomic
def nomination_decide(
    *, actor: Actor, entry: Nomination, recommend: bool, note: str = ""
) -> Nomination:
    """The actor's union passes the entry up to its parent (推荐), or does not.

    A union recommends at most the campaign's `recommend_quota` entries; one that reaches
    the organiser goes to review.
    """
    locked = (
        Nomination.objects.select_for_update()
        .select_related("campaign__organiser", "holder", "program__host")
        .get(pk=entry.pk)
    )
    org = deciding_org(actor, locked)
    if org is None:
        raise PermissionDenied
    campaign = locked.campaign
    # Serialise a union's decisions in one campaign, so two admins never both take the last place.
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    if recommend and _recommended_by(campaign, org) >= campaign.recommend_quota:
        raise ValidationError(
            _("Your union has already recommended %(n)s entries, its quota.")
            % {"n": campaign.recommend_quota}
        )
    if not recommend and not note.strip():
        raise ValidationError({"note": _("Say why the entry is not recommended.")})
    Recommendation.objects.create(
        entry=locked, org=org, recommended=recommend, note=note.strip()[:300], by=actor.user
    )
    if not recommend:
        locked.status = NominationStatus.DECLINED
    else:
        parent = _parent(org)
        locked.holder = parent
        if parent.pk == campaign.organiser_id:
            locked.status = NominationStatus.IN_REVIEW
    locked.save()
    return locked


@transaction.atomic
def nomination_withdraw(*, actor: Actor, entry: Nomination) -> Nomination:
    locked = Nomination.objects.select_for_update().get(pk=entry.pk)
    require(can_withdraw(actor, locked))
    locked.status = NominationStatus.WITHDRAWN
    locked.save()
    return locked


# --- Reviewers and scores ----------------------------------------------------------------------

REVIEWER_ROLES = frozenset({Role.REVIEWER, Role.UNION_ADMIN, Role.INSPECTOR})


@transaction.atomic
def reviewer_add(*, actor: Actor, campaign: Campaign, membership: Membership) -> Reviewer:
    """Ask a reviewer, admin or inspector of the organiser's subtree to score the entries."""
    require(can_assign_reviewers(actor, campaign))
    org = membership.org
    if (
        not membership.is_active
        or membership.role not in REVIEWER_ROLES
        or not org.path.startswith(campaign.organiser.path)
    ):
        raise ValidationError(
            {"membership": _("Choose a reviewer, admin or inspector of the organising union.")}
        )
    if campaign.reviewers.filter(membership=membership).exists():
        raise ValidationError({"membership": _("Already a reviewer of this campaign.")})
    return Reviewer.objects.create(campaign=campaign, membership=membership)


@transaction.atomic
def reviewer_remove(*, actor: Actor, reviewer: Reviewer) -> None:
    require(can_assign_reviewers(actor, reviewer.campaign))
    if reviewer.scorecards.exists():
        raise ValidationError(_("This reviewer has sent scores: they stay on the record."))
    reviewer.delete()


@transaction.atomic
def campaign_start_review(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Close entries and let the reviewers score those that reached the organiser."""
    locked = _editable(actor, campaign)
    if locked.status != CampaignStatus.OPEN:
        raise ValidationError(_("Only a campaign open for entries goes to review."))
    if not locked.reviewers.exists():
        raise ValidationError(_("Ask at least one reviewer first."))
    locked.status = CampaignStatus.REVIEW
    locked.save()
    return locked


@transaction.atomic
def scorecard_submit(
    *, actor: Actor, entry: Nomination, points: dict[int, int], comment: str = ""
) -> Scorecard:
    """Send a reviewer's scores of an entry, one per rubric item; final once sent.

    Refused for a vetoed entry (judged now) and for a reviewer tied to the class.
    """
    from .selectors import eligibility_of

    locked = (
        Nomination.objects.select_for_update()
        .select_related("campaign__organiser", "program__host")
        .get(pk=entry.pk)
    )
    reviewer = reviewer_of(actor, locked.campaign)
    if reviewer is not None and Scorecard.objects.filter(entry=locked, reviewer=reviewer).exists():
        raise ValidationError(_("You have already scored this entry; scores are final."))
    require(can_score(actor, locked))
    eligibility = eligibility_of([locked])[locked.pk]
    if not eligibility.eligible:
        raise ValidationError(
            _("The entry is removed by a veto condition: %(why)s")
            % {"why": eligibility.veto_reason}
        )
    items = list(locked.campaign.rubric.all())
    errors = {}
    for item in items:
        given = points.get(item.pk)
        if given is None or not 0 <= given <= item.points:
            errors[f"item_{item.pk}"] = _("Give %(name)s 0 to %(max)s points.") % {
                "name": item.name,
                "max": item.points,
            }
    if errors:
        raise ValidationError(errors)
    card = Scorecard.objects.create(
        entry=locked,
        reviewer=reviewer,
        total=sum(points[item.pk] for item in items),
        comment=comment.strip()[:500],
    )
    Score.objects.bulk_create(
        [Score(scorecard=card, item=item, points=points[item.pk]) for item in items]
    )
    return card
