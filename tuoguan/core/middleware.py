"""Checks on every request before a view sees it: the body's size, the text of its parameters,
and the headers of every reply (caching, browser features, the staff session's idle time)."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from . import fastpath
from .inputs import bad_text, bad_text_message, shown_name
from .kit import REVALIDATE_PRIVATE


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session an earlier middleware of the request read and checked
    (`request.session_read`: its key and its decoded content) is not read again: the live
    view's changed poll (care.middleware.LiveViewPollMiddleware) read it with the day."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        read = getattr(request, "session_read", None)
        if read is not None and read[0] == request.session.session_key:
            fastpath.session_known(request.session, read[1])


class RequestBodyLimitMiddleware:
    """Refuse (413) a body over DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

    Django applies the limit only when `request.body` or `request.POST` is read; DRF's
    parsers read the stream instead, so without this a JSON body of any size would be read
    into memory. Multipart uploads are left alone: Django limits their non-file parts itself,
    and files have their own size checks where they are accepted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.content_type or ""
        if limit is not None and not content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return self._too_large(request)
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse:
        message = _("The request is too large.")
        if request.content_type == "application/json" or request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class InputTextMiddleware:
    """Refuse (400) a query string or form post holding text that cannot be stored or shown.

    A NUL byte (`%00`) in any parameter reaches PostgreSQL as a 500 and a filter's error page
    as unencodable text; one check here covers every page and endpoint. The reply names the
    parameter but never repeats its value. JSON bodies are checked by `core.parsers`.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _bad_parameter(request.GET.lists())
        if name is None and request.method == "POST" and request.content_type in self.FORM_TYPES:
            name = _bad_parameter(request.POST.lists())
        if name is not None:
            return _bad_text_reply(request, name)
        return self.get_response(request)


def _bad_parameter(items: Any) -> str | None:
    for name, values in items:
        if bad_text(name) or any(bad_text(value) for value in values):
            return shown_name(name)
    return None


def _bad_text_reply(request: HttpRequest, name: str) -> HttpResponse:
    message = bad_text_message()
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {name: [message]}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    text = _("%(field)s: %(message)s") % {"field": name, "message": message}
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


# Browser features no page of the platform uses: a script injected into a page still cannot.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
IDLE_SESSION_KEY = "tuoguan_seen_at"
# The session is written at most this often to remember the last request, not on each one.
IDLE_TOUCH_SECONDS = 60


class ReplyHeadersMiddleware:
    """Headers of every reply: no caching of what a logged-in person sees, a Permissions-Policy.

    Any page or API reply behind a login may show a child's data (a name, a health note, a
    pickup photo): `Cache-Control: no-store` keeps it out of shared computers' browser caches
    and of proxies. The one exception is deliberate: a reply marked by `core.kit.revalidated`
    (the parent's live-view poll, answered 304 when nothing changed) keeps `private, no-cache`.
    Placed after the authentication middleware, so it sees who asked; a token request is
    seen through the user DRF's authentication sets on the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # A reply a view marked revalidatable (core.kit.revalidated: ETag, private, no-cache)
        # keeps its headers; every other one behind a login is never stored.
        if getattr(response, REVALIDATE_PRIVATE, False):
            response.headers.pop("Expires", None)
        elif user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def idle_clock_start(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """At log-in the idle clock starts, in the session that login is writing anyway."""
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_SESSION_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    """Log out a staff session (a union role, or Django staff) idle for TUOGUAN_STAFF_IDLE_MINUTES.

    Staff see many children's data, often on a shared office computer; a parent's session on
    their own phone is left alone. Placed after the middleware that attaches
    `request.membership` (orgs), read here as an attribute so core imports no app. 0 turns
    the timeout off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        minutes = settings.TUOGUAN_STAFF_IDLE_MINUTES
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if minutes and session is not None and user is not None and user.is_authenticated:
            staff = getattr(request, "membership", None) is not None or user.is_staff
            if staff and self._expired(request, minutes):
                logout(request)
                message = _("You were logged out after %(minutes)d minutes without activity.") % {
                    "minutes": minutes
                }
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                messages.info(request, message)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest, minutes: int) -> bool:
        now = int(time.time())
        seen = request.session.get(IDLE_SESSION_KEY)
        if isinstance(seen, int) and now - seen > minutes * 60:
            return True
        if not isinstance(seen, int) or now - seen >= IDLE_TOUCH_SECONDS:
            request.session[IDLE_SESSION_KEY] = now
        return False
