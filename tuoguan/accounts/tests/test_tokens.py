import datetime
import io
import json
import re

from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tuoguan.accounts import services
from tuoguan.accounts.models import ApiToken
from tuoguan.testing import PersonaTestCase

TOKENS = reverse("accounts:tokens")
KEY = re.compile(r"tg_[A-Za-z0-9_\-]{40,}")


class English(PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def client_for(self, user: object) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client


class TokenPageTests(English):
    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(TOKENS)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={TOKENS}")
        revoke = reverse("accounts:token_revoke", args=[1])
        self.assertEqual(self.client.post(revoke).status_code, 302)

    def test_the_page_lists_only_ones_own_tokens(self) -> None:
        services.token_issue(user=self.p.parent, name="parent phone")
        services.token_issue(user=self.p.grassroots_admin, name="kiosk room 2")
        response = self.client_for(self.p.parent).get(TOKENS)
        self.assertContains(response, "parent phone")
        self.assertNotContains(response, "kiosk room 2")

    def test_a_new_key_is_shown_once_and_stored_only_as_a_hash(self) -> None:
        client = self.client_for(self.p.parent)
        response = client.post(TOKENS, {"name": "my script"})
        self.assertEqual(response["Cache-Control"], "no-store")
        key = KEY.search(response.content.decode()).group()  # type: ignore[union-attr]
        token = ApiToken.objects.get(user=self.p.parent)
        self.assertEqual(token.key_hash, ApiToken.hash_key(key))
        self.assertEqual(token.prefix, key[:8])
        stored = json.dumps(list(ApiToken.objects.values()), default=str)
        self.assertNotIn(key, stored)
        # A later visit lists the token but never the key again.
        again = client.get(TOKENS).content.decode()
        self.assertIn("my script", again)
        self.assertNotIn(key, again)

    def test_htmx_creation_answers_with_the_panel_only(self) -> None:
        response = self.client_for(self.p.parent).post(
            TOKENS, {"name": "htmx"}, HTTP_HX_REQUEST="true"
        )
        self.assertTemplateUsed(response, "accounts/_token_panel.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertTrue(KEY.search(response.content.decode()))

    def test_a_blank_name_is_refused_and_nothing_created(self) -> None:
        response = self.client_for(self.p.parent).post(TOKENS, {"name": "  "})
        self.assertTrue(response.context["form"].has_error("name"))
        self.assertFalse(ApiToken.objects.exists())

    def test_a_user_revokes_their_own_token(self) -> None:
        token, _key = services.token_issue(user=self.p.parent, name="old")
        response = self.client_for(self.p.parent).post(
            reverse("accounts:token_revoke", args=[token.pk])
        )
        self.assertRedirects(response, TOKENS)
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)

    def test_someone_elses_token_is_a_404(self) -> None:
        token, _key = services.token_issue(user=self.p.grassroots_admin, name="kiosk")
        url = reverse("accounts:token_revoke", args=[token.pk])
        for user in (self.p.parent, self.p.outsider, self.p.province_admin):
            self.assertEqual(self.client_for(user).post(url).status_code, 404)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)

    def test_revoke_is_post_only(self) -> None:
        token, _key = services.token_issue(user=self.p.parent, name="old")
        url = reverse("accounts:token_revoke", args=[token.pk])
        self.assertEqual(self.client_for(self.p.parent).get(url).status_code, 405)


class BearerAuthTests(English):
    url = reverse("worker-list")

    def test_a_token_authenticates_api_calls_until_it_is_revoked(self) -> None:
        token, key = services.token_issue(user=self.p.grassroots_admin, name="app")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"][0]["id"], self.p.parent_worker.pk)
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)
        services.token_revoke(user=self.p.grassroots_admin, token=token)
        self.assertEqual(client.get(self.url).status_code, 401)

    def test_last_use_is_written_at_most_once_a_minute(self) -> None:
        token, key = services.token_issue(user=self.p.grassroots_admin, name="kiosk")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        client.get(self.url)
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        client.get(self.url)
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, first)
        ApiToken.objects.filter(pk=token.pk).update(
            last_used_at=first - datetime.timedelta(minutes=2)
        )
        client.get(self.url)
        token.refresh_from_db()
        assert token.last_used_at is not None
        self.assertGreaterEqual(token.last_used_at, first)

    def test_a_revoked_token_is_refused_and_not_stamped(self) -> None:
        token, key = services.token_issue(user=self.p.grassroots_admin, name="old")
        services.token_revoke(user=self.p.grassroots_admin, token=token)
        response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(self.url)
        self.assertEqual(response.status_code, 401)
        token.refresh_from_db()
        self.assertIsNone(token.last_used_at)

    def test_a_made_up_or_malformed_token_gets_401(self) -> None:
        for header in ("Bearer tg_not-a-real-key", "Bearer", "Bearer a b"):
            response = Client(HTTP_AUTHORIZATION=header).get(self.url)
            self.assertEqual(response.status_code, 401, header)

    def test_no_credentials_gets_401(self) -> None:
        self.assertEqual(Client().get(self.url).status_code, 401)


class TokenApiTests(English):
    url = reverse("token-list")

    def test_the_api_lists_creates_and_revokes_ones_own_tokens(self) -> None:
        services.token_issue(user=self.p.caregiver, name="someone else's")
        client = self.client_for(self.p.parent)
        created = client.post(self.url, {"name": "phone"}, content_type="application/json")
        self.assertEqual(created.status_code, 201)
        body = created.json()
        self.assertTrue(KEY.fullmatch(body["key"]))
        listed = client.get(self.url).json()["results"]
        self.assertEqual([t["name"] for t in listed], ["phone"])
        self.assertNotIn("key", listed[0])
        revoked = client.post(reverse("token-revoke", args=[body["id"]]))
        self.assertEqual(revoked.status_code, 200)
        self.assertIsNotNone(revoked.json()["revoked_at"])

    def test_the_api_hides_someone_elses_token(self) -> None:
        token, _key = services.token_issue(user=self.p.caregiver, name="theirs")
        client = self.client_for(self.p.outsider)
        self.assertEqual(client.get(reverse("token-detail", args=[token.pk])).status_code, 404)
        self.assertEqual(client.post(reverse("token-revoke", args=[token.pk])).status_code, 404)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)

    def test_malformed_json_and_wrong_types_get_400(self) -> None:
        client = self.client_for(self.p.parent)
        bad = client.post(self.url, "{not json", content_type="application/json")
        self.assertEqual(bad.status_code, 400)
        wrong = client.post(self.url, {"name": ["a", "b"]}, content_type="application/json")
        self.assertEqual(wrong.status_code, 400)
        self.assertIn("name", wrong.json())
        self.assertFalse(ApiToken.objects.exists())

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(Client().post(self.url, {"name": "x"}).status_code, 401)


class IssueTokenCommandTests(English):
    def test_it_prints_a_working_key_for_a_mobile_number(self) -> None:
        out = io.StringIO()
        call_command(
            "issue_token", "13800000003", "--name", "kiosk", stdout=out, stderr=io.StringIO()
        )
        key = out.getvalue().strip()
        token = ApiToken.objects.get(user=self.p.grassroots_admin)
        self.assertEqual(token.name, "kiosk")
        self.assertEqual(token.key_hash, ApiToken.hash_key(key))
        response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(reverse("worker-list"))
        self.assertEqual(response.status_code, 200)

    def test_it_accepts_a_username(self) -> None:
        out = io.StringIO()
        call_command("issue_token", "parent", stdout=out, stderr=io.StringIO())
        self.assertTrue(KEY.fullmatch(out.getvalue().strip()))
        self.assertEqual(ApiToken.objects.get().user, self.p.parent)

    def test_an_unknown_login_is_an_error(self) -> None:
        with self.assertRaises(CommandError):
            call_command("issue_token", "nobody", stdout=io.StringIO())
        self.assertFalse(ApiToken.objects.exists())

    def test_its_help_states_the_rule(self) -> None:
        from tuoguan.accounts.management.commands.issue_token import Command

        self.assertIn("shown this once", Command.help)
