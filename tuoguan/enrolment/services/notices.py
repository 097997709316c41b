"""What parents are told about their applications.

Each notice is written in the transaction of the change it reports: a rolled-back change
leaves no message, and the deliveries outside the app (SMS, WeChat, e-mail) are queued by the
task backend only when that transaction commits (notifications.services.notify).
"""

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tuoguan.notifications.services import notify

from ..models import Enrolment, Offer


def enrolment_link(enrolment: Enrolment) -> str:
    """The parent's page of the application, once the parent pages exist."""
    try:
        return reverse("enrolment:detail", kwargs={"pk": enrolment.pk})
    except NoReverseMatch:
        return ""


def _send(recipient: Any, subject: str, body: str, url: str, batched: bool = False) -> None:
    # The guardian's user id is enough: loading the user would cost a query per notice.
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    notify(recipient=recipient_id, subject=subject, body=body, url=url, batched=batched)


def _names(enrolment: Enrolment) -> dict[str, Any]:
    return {"child": enrolment.child.name, "term": enrolment.term}


# `batched`: the replies to applications, which the parent reads in the answer at once and
# which come by the thousand on enrolment morning, reach outside channels in housekeeping's
# next batch (notifications.services.notify); the inbox has them at once.


def tell_received(enrolment: Enrolment, batched: bool = False) -> None:
    """Lottery terms: the application waits for the draw."""
    closes = enrolment.term.enrol_closes_at
    body = _("The lottery is drawn after applications close")
    body += f" ({date_format(timezone.localtime(closes), 'DATETIME_FORMAT')})." if closes else "."
    _send(
        enrolment.guardian.user_id,
        _("Application received: %(child)s for %(term)s") % _names(enrolment),
        body,
        enrolment_link(enrolment),
        batched,
    )


def tell_admitted(enrolment: Enrolment, batched: bool = False) -> None:
    _send(
        enrolment.guardian.user_id,
        _("Admitted: %(child)s has a place in %(term)s") % _names(enrolment),
        _(
            "Complete the paperwork (agreement, insurance, pickup persons, health note) "
            "to confirm the place."
        ),
        enrolment_link(enrolment),
        batched,
    )


def tell_waitlisted(enrolment: Enrolment, position: int | None, batched: bool = False) -> None:
    _send(
        enrolment.guardian.user_id,
        _("On the waitlist: %(child)s for %(term)s") % _names(enrolment),
        _(
            "%(child)s is number %(position)s on the waitlist. "
            "You will get an offer when a place frees."
        )
        % {"child": enrolment.child.name, "position": position},
        enrolment_link(enrolment),
        batched,
    )


def tell_offered(offer: Offer) -> None:
    enrolment = offer.enrolment
    deadline = date_format(timezone.localtime(offer.expires_at), "DATETIME_FORMAT")
    _send(
        enrolment.guardian.user_id,
        _("A place is offered: %(child)s for %(term)s") % _names(enrolment),
        _("Accept the offer before %(deadline)s, or it passes to the next child on the waitlist.")
        % {"deadline": deadline},
        enrolment_link(enrolment),
    )


def tell_offer_expiring(offer: Offer) -> None:
    enrolment = offer.enrolment
    deadline = date_format(timezone.localtime(offer.expires_at), "DATETIME_FORMAT")
    _send(
        enrolment.guardian.user_id,
        _("Offer expiring soon: %(child)s for %(term)s") % _names(enrolment),
        _("The offered place is held for you until %(deadline)s.") % {"deadline": deadline},
        enrolment_link(enrolment),
    )


def tell_lapsed(enrolment: Enrolment) -> None:
    _send(
        enrolment.guardian.user_id,
        _("Offer expired: %(child)s for %(term)s") % _names(enrolment),
        _("The offered place was not accepted in time and passed to the next child."),
        enrolment_link(enrolment),
    )


def tell_removed(enrolment: Enrolment, reason: str) -> None:
    _send(
        enrolment.guardian.user_id,
        _("Application removed by the union: %(child)s for %(term)s") % _names(enrolment),
        _("Reason given: %(reason)s") % {"reason": reason},
        enrolment_link(enrolment),
    )
