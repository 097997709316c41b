"""The parent's live-view poll answered early: 304 in one statement, before the session,
the user and the actor are loaded by the middleware of every page.

A poll that finds nothing new is most of the live view's traffic (every parent, every 15 s).
When the request is such a poll — GET of `care:child_today` as HTMX, If-None-Match, a
session cookie — one read (`liveview_selectors.session_child_day_stamp`) gives the day's
stamp, the child's guardian's account and the session in force; if the session is that
guardian's (its user id, its backend, its password hash — as `django.contrib.auth.get_user`
checks — and the account active) and the ETag still matches, the answer is 304 at once.
Anything else (no such session, another family's child, a changed day, a session signed
with a fallback key) goes the usual way through every middleware and the view, which
answers 200, 302 to the login or 404 as always.

Nothing is skipped that a 304 could need: it carries no data, only that what the asker
already holds (they had the 200 of that ETag) is still current; the headers are those of
the view's own 304 (`core.kit.revalidated`) plus the Permissions-Policy of every reply.
"""

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language_from_request

from tuoguan.accounts.models import User
from tuoguan.core.kit import revalidated
from tuoguan.core.middleware import PERMISSIONS_POLICY

from . import fastpath
from .liveview_selectors import day_etag, etag_matches, session_child_day_stamp

DB_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def _poll_path() -> re.Pattern[str]:
    sample = reverse("care:child_today", kwargs={"pk": 12345})
    return re.compile("^" + re.escape(sample).replace("12345", "([0-9]{1,18})") + "$")


class LiveViewPollMiddleware:
    """Answer the live view's unchanged poll with 304 before the session is loaded.

    Placed before SessionMiddleware; only for the database's sessions (the one read joins
    the session's row)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.path: re.Pattern[str] | None = None
        self.enabled = settings.SESSION_ENGINE in DB_SESSIONS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.enabled and request.method == "GET" and "If-None-Match" in request.headers:
            answer = self._not_modified(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _not_modified(self, request: HttpRequest) -> HttpResponse | None:
        if request.headers.get("HX-Request") != "true" or request.headers.get(
            "HX-History-Restore-Request"
        ):
            return None
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        if not key or len(key) > 40:
            return None
        if self.path is None:
            self.path = _poll_path()
        match = self.path.match(request.path_info)
        if match is None:
            return None
        pk, day = int(match.group(1)), timezone.localdate()
        read = session_child_day_stamp(key, pk, day)
        if read is None or read.session_data is None or not read.is_active:
            return None
        data = _session_of(read.session_data, read.user_id, read.password)
        if data is None:
            return None
        language = get_language_from_request(request)
        etag = day_etag(pk, day, read.stamp, language, "fragment")
        if not etag_matches(request.headers.get("If-None-Match", ""), etag):
            # Changed: the view answers 200 from this stamp, read for this session's user,
            # and the session and the user are not read again (core.middleware).
            request.care_day_stamp = (pk, day, read.user_id, read.stamp)  # type: ignore[attr-defined]
            request.session_read = (key, data)  # type: ignore[attr-defined]
            fastpath.user_known(request, read)
            return None
        response = revalidated(HttpResponseNotModified(), etag)
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


def _session_of(session_data: str, user_id: int, password: str) -> dict[str, Any] | None:
    """The session's content if it is logged in as this user, by a configured backend, with
    the hash of the user's current password (a password change ends it), as
    `auth.get_user` verifies; else None."""
    data: dict[str, Any] = SessionStore().decode(session_data)
    if data.get(SESSION_KEY) != str(user_id):
        return None
    if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    expected = User(pk=user_id, password=password).get_session_auth_hash()
    if not constant_time_compare(str(data.get(HASH_SESSION_KEY, "")), expected):
        return None
    return data
