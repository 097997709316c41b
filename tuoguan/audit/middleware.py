from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: trusting X-Forwarded-For would let anyone write any IP in the log.
    # Behind a proxy, the proxy server sets REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


def context_fields(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    return {
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "membership_id": membership.pk if membership is not None else None,
        "membership_label": str(membership) if membership is not None else "",
        "ip": client_ip(request),
    }


class AuditContextMiddleware:
    """Names the acting user, membership and IP for every audited write in the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.acting_as(**context_fields(request)):
            return self.get_response(request)
