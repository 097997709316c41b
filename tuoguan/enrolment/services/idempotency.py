"""Double submissions (double taps, retries after a timeout) never act twice.

API — the `Idempotency-Key` header, as payment APIs honour it (api/idempotent.py):

* A key (1–255 characters) is stored per user with a fingerprint of the request (method,
  path and canonical body) and the answer, in the same transaction as the request's own
  writes: the answer exists exactly when the act does. A repeat with the same key and the
  same request gets the stored status and body back unchanged; the same key with another
  request: 422.
* Two simultaneous requests with one key: the database lets one commit; the other either
  finds it applied (the one-application-per-child constraint waits for the first) or
  fails to store its key, and then answers with the first one's stored answer.
* A request that failed with a server error keeps no answer, so it may be retried.
* Keys are kept at least `RETENTION` (24 h); `idempotency_purge` removes older ones.

Pages — a one-time form token (`form_token_issue` / `form_token_consume`): issued into the
session when the form is shown, consumed once when it is posted. Consumption is recorded
in the same table, so two simultaneous posts of one token cannot both pass.

Without any key, the database still allows one active application per child and term.
"""

import hashlib
import json
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import fastpath
from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
FORM_TOKENS_SESSION_KEY = "enrolment_form_tokens"
MAX_FORM_TOKENS = 20


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


class KeyMisused(Exception):
    """The key was used before for a different request (answered 422)."""


def key_clean(value: str | None) -> str:
    """The key as sent; ValidationError when empty or longer than 255 characters."""
    value = (value or "").strip()
    if not value or len(value) > MAX_KEY_LENGTH:
        raise ValidationError(
            {HEADER: _("An Idempotency-Key has 1 to 255 characters.")}, code="invalid"
        )
    return value


def canonical_body(data: Any) -> str:
    if hasattr(data, "lists"):
        # A QueryDict (form-encoded body): keep every value of every field.
        data = dict(data.lists())
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def request_fingerprint(method: str, path: str, data: Any) -> str:
    raw = f"{method.upper()}\n{path}\n{canonical_body(data)}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _insert(user: Any, key: str, fingerprint: str) -> IdempotencyKey | None:
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return None


class KeyTaken(Exception):
    """Another request stored an answer under this key first (its answer is the one)."""


def idempotency_stored(*, user: Any, key: str, fingerprint: str) -> Replay | None:
    """The stored answer for this key, or None. Raises KeyMisused when the key was used for
    a different request."""
    row = fastpath.idempotency_answer(user.pk, key)
    if row is None:
        return None
    stored_fingerprint, status_code, body = row
    if stored_fingerprint != fingerprint:
        raise KeyMisused
    return Replay(status_code=status_code, body=body)


def idempotency_remember(
    *, user: Any, key: str, fingerprint: str, status_code: int, body: Any
) -> None:
    """Store the answer; in the request's transaction when it wrote anything. Raises KeyTaken
    when another request stored one first (the caller's transaction must then roll back),
    here or, inside `answer_with_the_act`, at the block's end."""
    fastpath.idempotency_answer_insert(
        {
            "user_id": user.pk,
            "key": key,
            "fingerprint": fingerprint,
            "status_code": status_code,
            "response": body,
        },
        # Raised here, or where `answer_with_the_act` sends the row with the act's own.
        refused=lambda _error: KeyTaken(),
    )


def answer_with_the_act() -> AbstractContextManager[None]:
    """The block a request's act and the storing of its answer run in: the inserts the act
    leaves for last (fastpath.inserts_together: an application's row, entry and notice) go
    with the answer in one statement, before the transaction commits."""
    return fastpath.inserts_together()


def idempotency_purge(*, now: datetime | None = None, older_than: timedelta = RETENTION) -> int:
    """Delete keys older than the retention (never less than 24 h); returns how many."""
    older_than = max(older_than, RETENTION)
    cutoff = (now or timezone.now()) - older_than
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- One-time form tokens for pages ------------------------------------------------------------


def form_token_issue(request: HttpRequest) -> str:
    """A token for one form; put it in a hidden input and consume it when the form is posted."""
    token = secrets.token_urlsafe(24)
    tokens = list(request.session.get(FORM_TOKENS_SESSION_KEY, []))[-(MAX_FORM_TOKENS - 1) :]
    request.session[FORM_TOKENS_SESSION_KEY] = [*tokens, token]
    return token


def form_token_consume(request: HttpRequest, token: str | None) -> bool:
    """True exactly once per issued token; False for a repeat, a forgery or an empty token."""
    tokens = list(request.session.get(FORM_TOKENS_SESSION_KEY, []))
    if not token or token not in tokens:
        return False
    tokens.remove(token)
    request.session[FORM_TOKENS_SESSION_KEY] = tokens
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Two simultaneous posts both find the token in their copy of the session; the
        # unique (user, key) row lets only one of them through.
        return _insert(user, f"form:{token}", "form-token") is not None
    return True
