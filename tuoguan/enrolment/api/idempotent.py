"""`@idempotent`: the `Idempotency-Key` header on any POST handler of a DRF view.

See services/idempotency.py for the rules. The handler's answer (success or a 4xx the view
produced) is stored and replayed; an unexpected error stores nothing, so a retry runs again.
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ..services import idempotency

Handler = Callable[..., Response]


def _stored_body(response: Response) -> Any:
    if response.data is None:
        return None
    # Through the renderer: lazy translations and ErrorDetail become plain JSON.
    return json.loads(JSONRenderer().render(response.data))


def idempotent(handler: Handler) -> Handler:
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
        try:
            claim = idempotency.idempotency_begin(
                user=request.user, key=key, fingerprint=fingerprint
            )
        except idempotency.KeyMisused:
            return Response(
                {
                    "detail": _(
                        "This Idempotency-Key was already used for a different request. "
                        "Use a new key for a new request."
                    )
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        except idempotency.KeyInProgress:
            return Response(
                {"detail": _("A request with this Idempotency-Key is still in progress.")},
                status=status.HTTP_409_CONFLICT,
            )
        if isinstance(claim, idempotency.Replay):
            return Response(
                claim.body, status=claim.status_code, headers={"Idempotent-Replayed": "true"}
            )
        try:
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - turned into the view's error answer
                response = view.handle_exception(exc)
        except Exception:
            idempotency.idempotency_abandon(record=claim)
            raise
        if response.status_code >= 500:
            idempotency.idempotency_abandon(record=claim)
        else:
            idempotency.idempotency_finish(
                record=claim, status_code=response.status_code, body=_stored_body(response)
            )
        return response

    return wrapper
