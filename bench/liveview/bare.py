"""The baseline: a bare Django view answering "hello", behind the same middleware.

No session is read (the request sends no cookie), no user, no query: what any answer of
this gunicorn costs before a view does anything.
"""

from django.http import HttpRequest, HttpResponse


def bare_hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")
