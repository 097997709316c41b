"""Password guessing from many addresses, end to end: the account-wide lock, the per-address
lock across accounts, the owner's notice; a new password revokes tokens and other sessions."""

import re

from django.test import Client, override_settings
from django.urls import reverse

from tuoguan.accounts import services
from tuoguan.accounts.models import ApiToken
from tuoguan.notifications.models import Notification
from tuoguan.testing import PASSWORD, PersonaTestCase

LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
CONFIRM = reverse("accounts:password_reset_confirm")
NEW_PASSWORD = "Blue-River-Lantern-42"
WRONG = "wrong-wrong"
LOCK_SUBJECT = "Your Tuoguan account is locked after many failed log-ins"


def from_address(number: int) -> Client:
    """A browser at its own address: axes reads REMOTE_ADDR."""
    return Client(REMOTE_ADDR=f"10.0.{number // 250}.{number % 250 + 1}", HTTP_ACCEPT_LANGUAGE="en")


@override_settings(TUOGUAN_LOGIN_ACCOUNT_LIMIT=20, TUOGUAN_LOGIN_ADDRESS_LIMIT=100)
class AcrossAddressesTests(PersonaTestCase):
    def guess(self, client: Client, login: str = "parent", password: str = WRONG) -> int:
        return client.post(LOGIN, {"username": login, "password": password}).status_code

    def test_twenty_failures_from_twenty_addresses_lock_the_account_and_tell_its_owner(
        self,
    ) -> None:
        # Four guesses from each of five addresses: under the lock per address (five).
        statuses = [self.guess(from_address(n)) for n in range(5) for _ in range(4)]
        self.assertEqual(statuses[:19], [200] * 19)
        self.assertEqual(statuses[19], 429)
        # The right password, from an address that never failed, is refused now.
        response = from_address(77).post(LOGIN, {"username": "parent", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "from different places", status_code=429)
        self.assertNotIn("_auth_user_id", from_address(77).session)
        notices = Notification.objects.filter(recipient=self.p.parent, subject=LOCK_SUBJECT)
        self.assertEqual(notices.count(), 1)  # once per lock, not per further failure
        self.assertIn("reset", notices.get().body)
        # Another account is not locked by it.
        self.assertEqual(self.guess(from_address(78), "gang_carer", PASSWORD), 302)

    def test_the_lock_per_address_still_spares_a_colleague_in_the_same_office(self) -> None:
        office = from_address(1)
        for _ in range(5):
            self.guess(office)
        self.assertEqual(self.guess(office, "parent", PASSWORD), 429)
        self.assertEqual(self.guess(from_address(1), "gang_carer", PASSWORD), 302)

    @override_settings(TUOGUAN_LOGIN_ADDRESS_LIMIT=12)
    def test_one_address_guessing_many_accounts_is_paused(self) -> None:
        address = from_address(9)
        logins = [f"nobody{n}" for n in range(12)]
        statuses = [self.guess(address, login) for login in logins]
        self.assertEqual(statuses[-1], 429)
        response = address.post(LOGIN, {"username": "gang_carer", "password": PASSWORD})
        self.assertContains(response, "came from your network", status_code=429)
        # Elsewhere the same account logs in.
        self.assertEqual(self.guess(from_address(10), "gang_carer", PASSWORD), 302)

    def test_a_password_reset_lifts_the_account_wide_lock(self) -> None:
        for n in range(20):
            self.guess(from_address(n))
        client = from_address(200)
        client.post(RESET, {"login": "parent"})
        subject = Notification.objects.filter(subject__contains="code").latest("pk").subject
        code = re.search(r"\d{6}", subject).group()  # type: ignore[union-attr]
        client.post(
            CONFIRM,
            {
                "login": "parent",
                "code": code,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertEqual(self.guess(from_address(201), "parent", NEW_PASSWORD), 302)


class NewPasswordTests(PersonaTestCase):
    def test_a_reset_revokes_every_token_and_logs_out_every_session(self) -> None:
        _token, key = services.token_issue(user=self.p.parent, name="kiosk")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(api.get("/api/v1/children/").status_code, 200)
        browser = self.client_for(self.p.parent)
        self.assertEqual(browser.get(reverse("accounts:tokens")).status_code, 200)

        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.post(RESET, {"login": "parent"})
        subject = Notification.objects.filter(recipient=self.p.parent).latest("pk").subject
        code = re.search(r"\d{6}", subject).group()  # type: ignore[union-attr]
        response = client.post(
            CONFIRM,
            {
                "login": "parent",
                "code": code,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            follow=True,
        )
        self.assertContains(response, "Your API tokens were revoked")
        self.assertEqual(api.get("/api/v1/children/").status_code, 401)
        self.assertFalse(ApiToken.objects.filter(user=self.p.parent, revoked_at=None).exists())
        self.assertEqual(browser.get(reverse("accounts:tokens")).status_code, 302)

    def test_a_change_revokes_the_tokens_ends_other_sessions_and_keeps_this_one(self) -> None:
        services.token_issue(user=self.p.parent, name="kiosk")
        services.token_issue(user=self.p.parent, name="phone")
        other = self.client_for(self.p.parent)
        this = self.client_for(self.p.parent)
        this.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = this.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            follow=True,
        )
        self.assertContains(response, "2 API tokens were revoked")
        self.assertFalse(ApiToken.objects.filter(user=self.p.parent, revoked_at=None).exists())
        self.assertEqual(this.get(reverse("accounts:tokens")).status_code, 200)
        self.assertEqual(other.get(reverse("accounts:tokens")).status_code, 302)


class FailureLogPruneTests(PersonaTestCase):
    def test_rows_older_than_a_month_are_deleted(self) -> None:
        import datetime

        from axes.models import AccessFailureLog
        from django.utils import timezone

        from tuoguan.accounts.lockout import failures_prune

        for days in (31, 1):
            row = AccessFailureLog.objects.create(username="parent", ip_address="10.0.0.1")
            AccessFailureLog.objects.filter(pk=row.pk).update(
                attempt_time=timezone.now() - datetime.timedelta(days=days)
            )
        self.assertEqual(failures_prune(), 1)
        self.assertEqual(AccessFailureLog.objects.count(), 1)
