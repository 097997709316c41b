from typing import Any

from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

from tuoguan.audit.models import AuditEntry
from tuoguan.testing import PASSWORD, PersonaTestCase

LOGIN = reverse("accounts:login")


class English(PersonaTestCase):
    """Assertions read the English msgids, whatever translations exist."""

    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def client_for(self, user: object) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client


class LoginTests(English):
    def post_login(self, client: Client, login: str, password: str = PASSWORD) -> Any:
        return client.post(LOGIN, {"username": login, "password": password})

    def test_login_page_is_mobile_friendly_and_labelled(self) -> None:
        response = self.client.get(LOGIN)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="viewport"')
        self.assertContains(response, '<label for="id_username">')
        self.assertContains(response, '<label for="id_password">')

    def test_a_user_logs_in_with_the_username(self) -> None:
        response = self.post_login(self.client, "parent")
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.p.parent.pk))

    def test_a_user_logs_in_with_the_mobile_number(self) -> None:
        response = self.post_login(self.client, " 13700000001 ")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.p.parent.pk))

    def test_a_successful_login_is_written_to_the_audit_log(self) -> None:
        self.post_login(self.client, "13700000001")
        entry = AuditEntry.objects.get(action="login")
        self.assertEqual(entry.actor_id, self.p.parent.pk)
        self.assertEqual(entry.object_id, str(self.p.parent.pk))
        self.assertEqual(entry.ip, "127.0.0.1")

    def test_a_wrong_password_shows_an_error_and_logs_nobody_in(self) -> None:
        response = self.post_login(self.client, "parent", "wrong-password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "password is wrong")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(AuditEntry.objects.filter(action="login").exists())

    def test_the_next_parameter_is_followed_when_safe(self) -> None:
        response = self.client.post(
            f"{LOGIN}?next=/accounts/tokens/",
            {"username": "parent", "password": PASSWORD, "next": "/accounts/tokens/"},
        )
        self.assertRedirects(response, "/accounts/tokens/", fetch_redirect_response=False)
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            LOGIN, {"username": "parent", "password": PASSWORD, "next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)

    def test_logout_is_post_only(self) -> None:
        client = self.client_for(self.p.parent)
        self.assertEqual(client.get(reverse("accounts:logout")).status_code, 405)
        response = client.post(reverse("accounts:logout"))
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", client.session)

    def test_the_header_carries_a_logout_form(self) -> None:
        response = self.client_for(self.p.parent).get(reverse("accounts:tokens"))
        self.assertContains(response, f'action="{reverse("accounts:logout")}"')


class LockoutTests(English):
    def fail_login(self, client: Client, login: str, times: int) -> Any:
        response = None
        for _ in range(times):
            response = client.post(LOGIN, {"username": login, "password": "not-the-password"})
        return response

    def test_five_failures_lock_that_account_but_not_a_colleague_on_the_same_ip(self) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = self.fail_login(client, "parent", 5)
        self.assertEqual(response.status_code, 429)  # type: ignore[attr-defined]
        # Even the right password is refused while the account is locked…
        response = client.post(LOGIN, {"username": "parent", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", client.session)
        # …while another account logs in from the same address.
        colleague = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = colleague.post(LOGIN, {"username": "gang_admin", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(colleague.session["_auth_user_id"], str(self.p.grassroots_admin.pk))

    def test_four_failures_do_not_lock(self) -> None:
        self.fail_login(Client(HTTP_ACCEPT_LANGUAGE="en"), "parent", 4)
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            LOGIN, {"username": "parent", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)

    def test_failures_by_mobile_and_by_username_count_for_the_same_account(self) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.fail_login(client, "parent", 3)
        response = self.fail_login(client, "13700000001", 2)
        self.assertEqual(response.status_code, 429)  # type: ignore[attr-defined]
        self.assertEqual(AccessAttempt.objects.get().username, "parent")

    def test_the_lockout_page_says_the_account_is_locked_and_when_to_retry(self) -> None:
        response = self.fail_login(Client(HTTP_ACCEPT_LANGUAGE="en"), "parent", 5)
        content = response.content.decode()  # type: ignore[attr-defined]
        self.assertIn("Account locked for a while", content)
        self.assertIn("Try again after", content)
        self.assertIn("15 minutes", content)
        self.assertIn(reverse("accounts:password_reset"), content)
        self.assertIn('lang="', content)

    def test_the_lockout_page_speaks_the_default_language_too(self) -> None:
        response = self.fail_login(Client(), "parent", 5)
        self.assertContains(response, 'lang="zh-hans"', status_code=429)


@override_settings(
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
        "tuoguan.orgs.middleware.ActiveMembershipMiddleware",
        "tuoguan.audit.middleware.AuditContextMiddleware",
    ]
)
class LockedFormMessageTests(English):
    """Without the axes middleware in front, the login form itself explains the lock."""

    def test_the_login_form_shows_the_locked_message(self) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        for _ in range(6):
            response = client.post(LOGIN, {"username": "parent", "password": "nope-nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This account is locked for a while")
        self.assertContains(response, 'role="alert"')
