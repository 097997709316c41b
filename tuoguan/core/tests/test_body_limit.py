"""RequestBodyLimitMiddleware: the body size limit holds for JSON, which DRF reads itself."""

import json

from django.test import SimpleTestCase, override_settings


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
class BodyLimitTest(SimpleTestCase):
    def test_a_json_body_over_the_limit_is_refused_with_413_before_any_view(self) -> None:
        body = json.dumps({"name": "x" * 2000})
        response = self.client.post("/api/v1/orgs/", body, content_type="application/json")
        self.assertEqual(response.status_code, 413)
        self.assertIn("detail", response.json())

    def test_a_form_body_over_the_limit_is_refused_too(self) -> None:
        body = "username=" + "x" * 2000
        response = self.client.post(
            "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(response.status_code, 413)

    def test_a_body_within_the_limit_reaches_the_view(self) -> None:
        response = self.client.post("/api/v1/orgs/", "{}", content_type="application/json")
        self.assertIn(response.status_code, (401, 403))

    def test_multipart_uploads_are_left_to_their_own_checks(self) -> None:
        # The test client posts a dict as multipart/form-data: a file upload may be larger.
        response = self.client.post("/api/v1/orgs/", {"file": "x" * 2000})
        self.assertNotEqual(response.status_code, 413)
