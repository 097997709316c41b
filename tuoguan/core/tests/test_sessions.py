"""The session middleware takes a session an earlier middleware read and checked (the live
view's changed poll), and only that one; the store it is given answers as one that loads."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tuoguan.core import fastpath
from tuoguan.core.middleware import SessionMiddleware


def _saved_session() -> SessionStore:
    store = SessionStore()
    store["_auth_user_id"] = "7"
    store["active_membership_id"] = 3
    store.save()
    return store


def _request(key: str, read: tuple[str, dict] | None) -> HttpRequest:
    request = HttpRequest()
    request.COOKIES["sessionid"] = key
    if read is not None:
        request.session_read = read  # type: ignore[attr-defined]
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


class KnownSessionTests(TestCase):
    def test_a_store_given_its_rows_content_reads_nothing_and_answers_as_one_that_loads(self):
        saved = _saved_session()
        key = saved.session_key
        assert key is not None
        loaded = SessionStore(key)
        known = SessionStore(key)
        with CaptureQueriesContext(connection) as reads:
            fastpath.session_known(known, SessionStore().decode(saved.encode(dict(saved.items()))))
            self.assertEqual(dict(known.items()), {"_auth_user_id": "7", "active_membership_id": 3})
        self.assertEqual(len(reads), 0)
        self.assertEqual(dict(known.items()), dict(loaded.items()))
        self.assertEqual(known.session_key, loaded.session_key)

    def test_the_middleware_takes_the_session_read_for_its_own_key_only(self) -> None:
        saved = _saved_session()
        key = saved.session_key
        assert key is not None
        handed = {"_auth_user_id": "7", "handed": True}
        with CaptureQueriesContext(connection) as reads:
            request = _request(key, (key, handed))
            self.assertTrue(request.session["handed"])
        self.assertEqual(len(reads), 0)
        # Another key's content is never taken: the store reads its own row.
        request = _request(key, ("another-key", handed))
        self.assertNotIn("handed", request.session)
        self.assertEqual(request.session["active_membership_id"], 3)
        # Nothing handed: Django's own behaviour.
        self.assertEqual(_request(key, None).session["_auth_user_id"], "7")
