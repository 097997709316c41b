"""The service worker of the inspector's pages, served from our own static files.

A worker's scope cannot reach above the folder it is served from, and /static/ lies beside
/supervision/: so the script is read from the static files and served under /supervision/,
with the URLs of the assets it keeps for offline use (hashed names in production) filled in.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import path, reverse
from django.views.decorators.http import require_GET

ASSETS = (
    "vendor/weui/weui.min.css",
    "css/tokens.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "js/app.js",
    "js/inspect.js",
    "supervision/manifest.webmanifest",
    "img/favicon.svg",
    "img/icon-192.png",
)
SCRIPT = "js/supervision-sw.js"


def _source() -> str:
    # The source folder when present (development, tests), else the collected copy.
    found = finders.find(SCRIPT)
    if isinstance(found, str):
        with open(found, encoding="utf-8") as handle:
            return handle.read()
    with staticfiles_storage.open(SCRIPT) as handle:
        return str(handle.read().decode("utf-8"))


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    config: dict[str, Any] = {
        "assets": [static(name) for name in ASSETS],
        "scope": reverse("supervision:visit_list").rsplit("visits/", 1)[0],
    }
    body = f"const CONFIG = {json.dumps(config)};\n" + _source()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = config["scope"]
    return response


@require_GET
def sync_token(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for the phone's outbox, and whether the session still holds.

    A checklist opened long ago (kept by the service worker) carries a token that a new
    login has since rotated, and a session can end while the phone is offline: the page then
    asks here, sends again with the new token, or tells the inspector to log in again. The
    answers wait in the outbox meanwhile.
    """
    response = JsonResponse(
        {
            "authenticated": bool(request.user.is_authenticated),
            "csrf_token": get_token(request),
            "login_url": reverse(settings.LOGIN_URL),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("sw.js", service_worker, name="service_worker"),
    path("sync-token/", sync_token, name="sync_token"),
]
