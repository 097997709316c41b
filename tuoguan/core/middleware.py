"""A size limit on request bodies that holds for the API too."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


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
