"""The kiosk: a shared tablet at the entrance, signed in with a device token.

It shows the scanner and today's list of its class, nothing else. The device is kept in the
session (no user logs in); every request checks again that its token is not revoked.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, HtmxRequest, refusal, wants_fragment

from .. import selectors, services
from ..forms import KioskSignInForm
from ..models import KioskDevice
from ..services.kiosk import kiosk_authenticate

SESSION_KEY = "care_kiosk_token"


def kiosk_of(request: HttpRequest) -> KioskDevice | None:
    return kiosk_authenticate(request.session.get(SESSION_KEY, ""))


def _screen(request: HtmxRequest, device: KioskDevice) -> HttpResponse:
    day = timezone.localdate()
    rows = selectors.kiosk_day(device, day)
    context: dict[str, Any] = {
        "device": device,
        "day": day,
        "rows": rows,
        "counts": selectors.roster_counts(rows),
    }
    if wants_fragment(request):
        return render(request, "care/_kiosk_list.html", context)
    return render(request, "care/kiosk.html", context)


@GET_POST
def kiosk(request: HtmxRequest) -> HttpResponse:
    """The kiosk's screen, or its sign-in form when the tablet is not signed in."""
    device = kiosk_of(request)
    if device is not None and request.method != "POST":
        return _screen(request, device)
    form = KioskSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        if kiosk_authenticate(token) is not None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = token
            return redirect("care:kiosk")
        form.add_error("token", _("This token is unknown or has been revoked."))
    return render(request, "care/kiosk_signin.html", {"form": form})


@require_POST
def kiosk_scan(request: HtmxRequest) -> HttpResponse:
    device = kiosk_of(request)
    if device is None:
        return redirect("care:kiosk")  # signed out (or revoked): the sign-in form
    try:
        attendance = services.attendance_check_in_by_code(
            actor=None,
            code=request.POST.get("code", ""),
            kiosk=device,
        )
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("%(child)s checked in.") % {"child": attendance.child.name})
    if wants_fragment(request):
        return _screen(request, device)
    return redirect("care:kiosk")


@require_POST
def kiosk_signout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("care:kiosk")
