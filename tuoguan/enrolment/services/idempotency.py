"""Double submissions (double taps, retries after a timeout) never act twice.

API — the `Idempotency-Key` header, as payment APIs honour it:

* The key (1–255 characters) is stored per user with a fingerprint of the request
  (method, path and canonical body) *before* the request runs: the unique constraint on
  (user, key) means two simultaneous requests with one key cannot both run; the second is
  answered 409 while the first is in progress.
* A finished request's status and body are stored; a repeat with the same key and the
  same request gets them back unchanged. The same key with another request: 422.
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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
# A request that began and never finished (its worker died) frees its key after this long.
STALE_AFTER = timedelta(minutes=2)
FORM_TOKENS_SESSION_KEY = "enrolment_form_tokens"
MAX_FORM_TOKENS = 20


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


class KeyMisused(Exception):
    """The key was used before for a different request (answered 422)."""


class KeyInProgress(Exception):
    """A request with this key is still running (answered 409)."""


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


def idempotency_begin(*, user: Any, key: str, fingerprint: str) -> IdempotencyKey | Replay:
    """Claim the key for this request, or say why not.

    Returns the claimed row (run the request, then `idempotency_finish`), or a Replay of the
    stored answer. Raises KeyMisused (422) or KeyInProgress (409). Must run in autocommit
    mode (no surrounding transaction), so that other requests see the claim at once.
    """
    for _attempt in range(2):
        claimed = _insert(user, key, fingerprint)
        if claimed is not None:
            return claimed
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # purged in between: claim it again
        if row.fingerprint != fingerprint:
            raise KeyMisused
        if row.status_code is not None:
            return Replay(status_code=row.status_code, body=row.response)
        if row.created_at >= timezone.now() - STALE_AFTER:
            raise KeyInProgress
        IdempotencyKey.objects.filter(pk=row.pk, status_code__isnull=True).delete()
    raise KeyInProgress


def idempotency_finish(*, record: IdempotencyKey, status_code: int, body: Any) -> None:
    IdempotencyKey.objects.filter(pk=record.pk).update(status_code=status_code, response=body)


def idempotency_abandon(*, record: IdempotencyKey) -> None:
    """Forget a claim whose request failed unexpectedly, so the client may retry."""
    IdempotencyKey.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def idempotency_purge(*, now: datetime | None = None, older_than: timedelta = RETENTION) -> int:
    """Delete keys older than the retention (never less than 24 h); returns how many."""
    older_than = max(older_than, RETENTION)
    cutoff = (now or timezone.now()) - older_than
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- Service-level keys (a retry of a service call returns the first result) ---------------


def _service_key(key: str) -> str:
    # Hashed and prefixed: never collides with an API key of the same user, fits 255.
    return "svc:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def service_replay(*, user: Any, key: str, fingerprint: str) -> dict[str, Any] | None:
    row = IdempotencyKey.objects.filter(user=user, key=_service_key(key)).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise ValidationError(
            _("This idempotency key was already used for a different request."), code="key_reused"
        )
    return row.response if isinstance(row.response, dict) else None


def service_remember(*, user: Any, key: str, fingerprint: str, response: dict[str, Any]) -> None:
    IdempotencyKey.objects.create(
        user=user,
        key=_service_key(key),
        fingerprint=fingerprint,
        status_code=200,
        response=response,
    )


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
