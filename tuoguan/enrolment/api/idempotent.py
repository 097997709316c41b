"""`@idempotent`: the `Idempotency-Key` header on any POST handler of a DRF view.

See services/idempotency.py for the rules. The handler runs in a transaction that also
stores its answer (success or a 4xx the view produced), so the answer exists exactly when
the act does; an unexpected error stores nothing, so a retry runs again. One read before
(none with `look_first=False`) and one INSERT inside, which goes in one statement with the
inserts the act left for last (an application's row, entry and notice: on PostgreSQL, the
round trips of enrolment morning): no separate commit of a claim.
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ..services import idempotency

Handler = Callable[..., Response]


def _stored_body(response: Response) -> Any:
    data = response.data
    if data is None:
        return None
    try:
        # Plain JSON already (the answer to an application): stored as it is.
        json.dumps(data)
    except (TypeError, ValueError):
        # Through the renderer: lazy translations, dates and the like become plain JSON.
        return json.loads(JSONRenderer().render(data))
    return data


def _misused() -> Response:
    return Response(
        {
            "detail": _(
                "This Idempotency-Key was already used for a different request. "
                "Use a new key for a new request."
            )
        },
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def _replay(stored: idempotency.Replay) -> Response:
    return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})


def _first_answer(user: Any, key: str, fingerprint: str) -> Response | None:
    """The answer a twin request stored under this key, if any (422 if it differs)."""
    try:
        stored = idempotency.idempotency_stored(user=user, key=key, fingerprint=fingerprint)
    except idempotency.KeyMisused:
        return _misused()
    return _replay(stored) if stored is not None else None


def idempotent(handler: Handler | None = None, *, look_first: bool = True) -> Any:
    """`@idempotent`, or `@idempotent(look_first=False)` for a handler whose every effect is
    in the database and whose repeat the database refuses (applying): the stored answer is
    then not read before the handler runs but when storing this one's answer finds it, and
    this run rolls back. A repeat costs a little more; every first request a read less.
    """
    if handler is None:
        return lambda h: _idempotent(h, look_first=look_first)
    return _idempotent(handler, look_first=look_first)


def _idempotent(handler: Handler, *, look_first: bool) -> Handler:
    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw_key = request.headers.get(idempotency.HEADER)
        if raw_key is None:
            return handler(view, request, *args, **kwargs)
        try:
            key = idempotency.key_clean(raw_key)
        except ValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        # Reading the body first: malformed JSON is a 400 that claims no key.
        fingerprint = idempotency.request_fingerprint(
            request.method or "POST", request.get_full_path(), request.data
        )
        user = request.user
        first = _first_answer(user, key, fingerprint) if look_first else None
        if first is not None:
            return first

        def remember(response: Response) -> None:
            idempotency.idempotency_remember(
                user=user,
                key=key,
                fingerprint=fingerprint,
                status_code=response.status_code,
                body=_stored_body(response),
            )

        try:
            with transaction.atomic(), idempotency.answer_with_the_act():
                response = handler(view, request, *args, **kwargs)
                if response.status_code < 500:
                    remember(response)
            return response
        except idempotency.KeyTaken:
            # A twin request with this key committed first: its answer is the answer.
            return _first_answer(user, key, fingerprint) or response
        except Exception as exc:  # noqa: BLE001 - turned into the view's error answer
            refused = view.handle_exception(exc)  # re-raises what is not an API error
        if refused.status_code >= 500:
            return refused
        # The handler refused (4xx) and rolled back. If a twin with this key succeeded
        # meanwhile (which is why this one was refused: "already applied"), its answer wins.
        try:
            # Its own transaction (a savepoint inside a caller's): a refused INSERT must not
            # spoil the reading of the twin's answer.
            with transaction.atomic():
                remember(refused)
        except idempotency.KeyTaken:
            return _first_answer(user, key, fingerprint) or refused
        return refused

    return wrapper
