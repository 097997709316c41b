"""Writes of the public notice (公示), its objections and the designations that follow.

Services as in services.py: keyword-only, atomic, checked, audited (every row is audited).
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require

from .models import (
    Campaign,
    CampaignStatus,
    Designation,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from .permissions import can_manage_campaign, can_revoke_designation
from .ranking import campaign_standings

# One address lodges at most this many objections an hour, one telephone this many per entry.
OBJECTIONS_PER_HOUR = 5
OBJECTIONS_PER_PHONE = 3
phone_check = RegexValidator(r"^[0-9+\-() ]{5,20}$")


def _locked(actor: Actor, campaign: Campaign) -> Campaign:
    require(can_manage_campaign(actor, campaign))
    return Campaign.objects.select_for_update().select_related("organiser").get(pk=campaign.pk)


@transaction.atomic
def campaign_publish_notice(
    *, actor: Actor, campaign: Campaign, today: datetime.date | None = None
) -> Campaign:
    """Put the entries ranked within the quota on public notice for the campaign's days.

    Ranks and averages are frozen on the entries; the rest stay under review, unranked.
    """
    locked = _locked(actor, campaign)
    if locked.status != CampaignStatus.REVIEW:
        raise ValidationError(_("Only a campaign under review publishes its notice."))
    shortlisted = [s for s in campaign_standings(locked) if s.within_quota]
    if not shortlisted:
        raise ValidationError(_("No entry has been scored within the quota yet."))
    for standing in shortlisted:
        entry = standing.entry
        entry.status = NominationStatus.ON_NOTICE
        entry.rank = standing.rank
        entry.average = standing.average
        entry.save()
    today = today or timezone.localdate()
    locked.status = CampaignStatus.NOTICE
    locked.notice_starts = today
    locked.notice_ends = today + datetime.timedelta(days=locked.notice_days - 1)
    locked.save()
    return locked


def _sender(address: str | None) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def objection_lodge(
    *,
    entry: Nomination,
    name: str,
    phone: str,
    text: str,
    address: str | None,
    today: datetime.date | None = None,
) -> Objection:
    """Anyone objects to an entry on notice, during the notice, with their name and phone."""
    campaign = entry.campaign
    today = today or timezone.localdate()
    if (
        entry.status != NominationStatus.ON_NOTICE
        or campaign.status != CampaignStatus.NOTICE
        or campaign.notice_starts is None
        or campaign.notice_ends is None
        or not campaign.notice_starts <= today <= campaign.notice_ends
    ):
        raise ValidationError(_("Objections are taken only during the notice period."))
    errors = {}
    name, phone, text = name.strip(), phone.strip(), text.strip()
    if not name:
        errors["name"] = _("Give your name.")
    try:
        phone_check(phone)
    except ValidationError:
        errors["phone"] = _("Enter a valid telephone or mobile number.")
    if len(text) < 10:
        errors["text"] = _("Say what is wrong, in at least ten characters.")
    if errors:
        raise ValidationError(errors)
    sender = _sender(address)
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    if (
        Objection.objects.filter(sender=sender, created_at__gte=hour_ago).count()
        >= OBJECTIONS_PER_HOUR
        or Objection.objects.filter(entry=entry, phone=phone).count() >= OBJECTIONS_PER_PHONE
    ):
        raise ValidationError(_("Too many objections from you: try again later."))
    return Objection.objects.create(
        entry=entry, name=name[:60], phone=phone, text=text[:2000], sender=sender
    )


@transaction.atomic
def objection_answer(*, actor: Actor, objection: Objection, upheld: bool, answer: str) -> Objection:
    """The organiser records what the investigation found; an upheld one removes the entry."""
    campaign = _locked(actor, objection.entry.campaign)
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.status != ObjectionStatus.OPEN:
        raise ValidationError(_("This objection has been answered."))
    if campaign.status != CampaignStatus.NOTICE:
        raise ValidationError(_("The notice is over."))
    if not answer.strip():
        raise ValidationError({"answer": _("Record what the investigation found.")})
    locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    locked.answer = answer.strip()[:2000]
    locked.answered_by = actor.user
    locked.answered_at = timezone.now()
    locked.save()
    if upheld:
        entry = Nomination.objects.select_for_update().get(pk=locked.entry_id)
        entry.status = NominationStatus.REMOVED
        entry.save()
    return locked


@transaction.atomic
def campaign_designate(
    *, actor: Actor, campaign: Campaign, today: datetime.date | None = None
) -> list[Designation]:
    """After the notice, and with every objection answered, designate the listed classes."""
    locked = _locked(actor, campaign)
    today = today or timezone.localdate()
    if locked.status != CampaignStatus.NOTICE or locked.notice_ends is None:
        raise ValidationError(_("Only a campaign on notice designates."))
    if today <= locked.notice_ends:
        raise ValidationError(
            _("The notice runs until %(date)s.") % {"date": locked.notice_ends.isoformat()}
        )
    if Objection.objects.filter(entry__campaign=locked, status=ObjectionStatus.OPEN).exists():
        raise ValidationError(_("Answer every objection first."))
    made = []
    for entry in locked.entries.filter(status=NominationStatus.ON_NOTICE).select_related("program"):
        made.append(
            Designation.objects.create(
                program=entry.program,
                level=locked.level,
                year=locked.year,
                campaign=locked,
                org=locked.organiser,
            )
        )
        entry.status = NominationStatus.DESIGNATED
        entry.save()
    locked.status = CampaignStatus.CLOSED
    locked.save()
    return made


@transaction.atomic
def designation_revoke(*, actor: Actor, designation: Designation, reason: str) -> Designation:
    """Take a title back (audited, with the reason); only the designating union's admins."""
    locked = Designation.objects.select_for_update().select_related("org").get(pk=designation.pk)
    if not can_revoke_designation(actor, locked):
        raise PermissionDenied
    if locked.revoked_at is not None:
        raise ValidationError(_("This designation is already revoked."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the designation is revoked.")})
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason.strip()[:300]
    locked.revoked_by = actor.user
    locked.save()
    return locked
