import datetime
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoguan.accounts.models import PasswordResetCode
from tuoguan.notifications.models import Notification
from tuoguan.testing import PASSWORD, PersonaTestCase

RESET = reverse("accounts:password_reset")
CONFIRM = reverse("accounts:password_reset_confirm")
NEW_PASSWORD = "Blue-River-Lantern-42"


class English(PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def client_for(self, user: object) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client


class PasswordChangeTests(English):
    url = reverse("accounts:password_change")

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={self.url}")

    def test_a_user_changes_their_password(self) -> None:
        client = self.client_for(self.p.parent)
        response = client.post(
            self.url,
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(NEW_PASSWORD))

    def test_a_wrong_old_password_changes_nothing(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.url,
            {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].has_error("old_password"))
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(PASSWORD))


class PasswordResetTests(English):
    def request_code(self, login: str = "13700000001") -> str:
        """Ask for a code and read it back from the inbox, as the user would from the SMS."""
        self.client.post(RESET, {"login": login})
        subject = Notification.objects.filter(recipient=self.p.parent).latest("pk").subject
        match = re.search(r"\d{6}", subject)
        assert match is not None
        return match.group()

    def confirm(self, code: str, password: str = NEW_PASSWORD, login: str = "parent") -> Any:
        return self.client.post(
            CONFIRM,
            {"login": login, "code": code, "new_password1": password, "new_password2": password},
        )

    def test_a_code_is_stored_hashed_and_sent_by_sms(self) -> None:
        response = self.client.post(RESET, {"login": "13700000001"})
        self.assertRedirects(response, CONFIRM)
        reset = PasswordResetCode.objects.get(user=self.p.parent)
        notification = Notification.objects.get(recipient=self.p.parent)
        code = re.search(r"\d{6}", notification.subject).group()  # type: ignore[union-attr]
        self.assertNotIn(code, reset.code_hash)
        self.assertEqual(len(reset.code_hash), 64)
        self.assertEqual(
            sorted(notification.deliveries.values_list("channel", flat=True)), ["console", "sms"]
        )

    def test_the_answer_is_the_same_for_an_unknown_login(self) -> None:
        known = self.client.post(RESET, {"login": "parent"}, follow=True)
        unknown = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            RESET, {"login": "nobody-here"}, follow=True
        )
        self.assertEqual(
            [str(m) for m in known.context["messages"]],
            [str(m) for m in unknown.context["messages"]],
        )
        self.assertEqual(PasswordResetCode.objects.count(), 1)
        self.assertEqual(Notification.objects.count(), 1)

    def test_the_confirm_form_remembers_the_login(self) -> None:
        self.client.post(RESET, {"login": "parent"})
        response = self.client.get(CONFIRM)
        self.assertEqual(response.context["form"].initial["login"], "parent")

    def test_the_right_code_sets_the_new_password_once(self) -> None:
        code = self.request_code()
        response = self.confirm(code)
        self.assertRedirects(response, reverse("accounts:login"))
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(NEW_PASSWORD))
        # The code is spent: it does not work a second time.
        response = self.confirm(code, password="Another-Fine-Password-7")
        self.assertTrue(response.context["form"].has_error("code"))  # type: ignore[attr-defined]

    def test_a_wrong_code_is_counted_and_changes_nothing(self) -> None:
        code = self.request_code()
        wrong = "000000" if code != "000000" else "111111"
        response = self.confirm(wrong)
        self.assertContains(response, "This code is wrong or has expired.")
        self.assertEqual(PasswordResetCode.objects.get().attempts, 1)
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(PASSWORD))

    def test_five_wrong_codes_kill_the_code(self) -> None:
        code = self.request_code()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            self.confirm(wrong)
        response = self.confirm(code)
        self.assertContains(response, "This code is wrong or has expired.")
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(PASSWORD))

    def test_a_code_expires_after_30_minutes(self) -> None:
        code = self.request_code()
        PasswordResetCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=31))
        response = self.confirm(code)
        self.assertContains(response, "This code is wrong or has expired.")
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(PASSWORD))

    def test_a_new_code_replaces_the_old_one(self) -> None:
        first = self.request_code()
        second = self.request_code()
        if first != second:
            self.assertContains(self.confirm(first), "This code is wrong or has expired.")
        self.assertEqual(self.confirm(second).status_code, 302)  # type: ignore[attr-defined]

    def test_the_new_password_must_pass_the_validators(self) -> None:
        code = self.request_code()
        response = self.confirm(code, password="12345678")
        form = response.context["form"]  # type: ignore[attr-defined]
        self.assertTrue(form.has_error("new_password1"))
        self.p.parent.refresh_from_db()
        self.assertTrue(self.p.parent.check_password(PASSWORD))
        # The code survives a rejected password: the user only has to pick a better one.
        self.assertEqual(self.confirm(code).status_code, 302)  # type: ignore[attr-defined]

    def test_the_two_passwords_must_match(self) -> None:
        code = self.request_code()
        response = self.client.post(
            CONFIRM,
            {
                "login": "parent",
                "code": code,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD + "x",
            },
        )
        self.assertTrue(response.context["form"].has_error("new_password2"))
        self.assertIsNone(PasswordResetCode.objects.get().used_at)

    def test_a_reset_ends_a_login_lockout(self) -> None:
        login = reverse("accounts:login")
        for _ in range(5):
            self.client.post(login, {"username": "parent", "password": "wrong-wrong"})
        self.assertEqual(
            self.client.post(login, {"username": "parent", "password": PASSWORD}).status_code, 429
        )
        self.confirm(self.request_code())
        response = self.client.post(login, {"username": "parent", "password": NEW_PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_codes_per_hour_are_limited(self) -> None:
        for _ in range(7):
            self.client.post(RESET, {"login": "parent"})
        self.assertEqual(PasswordResetCode.objects.count(), 5)
        self.assertEqual(Notification.objects.filter(recipient=self.p.parent).count(), 5)
