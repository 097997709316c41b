"""The inbox, marking read, and one's own delivery log."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.notifications.models import Delivery, Notification
from tuoguan.testing import PersonaTestCase

INBOX = reverse("notifications:inbox")
READ_ALL = reverse("notifications:read_all")
DELIVERIES = reverse("notifications:deliveries")


def read_url(notification: Notification) -> str:
    return reverse("notifications:read", kwargs={"pk": notification.pk})


def make(user: Any, subject: str, url: str = "", read: bool = False) -> Notification:
    from django.utils import timezone

    return Notification.objects.create(
        recipient=user, subject=subject, url=url, read_at=timezone.now() if read else None
    )


class InboxTest(PersonaTestCase):
    def test_the_inbox_shows_ones_own_notifications_unread_first(self) -> None:
        old_unread = make(self.p.parent, "旧的未读")
        make(self.p.parent, "新的已读", read=True)
        make(self.p.other_parent, "别人的通知")
        response = self.client_for(self.p.parent).get(INBOX)
        rows = list(response.context["page_obj"])
        self.assertEqual([n.subject for n in rows], ["旧的未读", "新的已读"])
        self.assertContains(response, f'id="notification-{old_unread.pk}"')
        self.assertContains(response, "未读")  # zh-hans is the default language
        self.assertNotContains(response, "别人的通知")
        self.assertEqual(response.context["unread_notifications"], 1)

    def test_the_inbox_is_paginated_with_a_bounded_query_count(self) -> None:
        client = self.client_for(self.p.parent)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(INBOX).status_code, 200)
            return len(captured)

        Notification.objects.bulk_create(
            [Notification(recipient=self.p.parent, subject=f"第 {i} 条") for i in range(5)]
        )
        few = queries()
        Notification.objects.bulk_create(
            [Notification(recipient=self.p.parent, subject=f"又 {i} 条") for i in range(120)]
        )
        self.assertEqual(queries(), few)
        page = client.get(INBOX).context["page_obj"]
        self.assertEqual((len(page), page.paginator.num_pages), (50, 3))

    def test_anonymous_is_sent_to_login(self) -> None:
        notification = make(self.p.parent, "x")
        for url in (INBOX, DELIVERIES):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])
        for url in (read_url(notification), READ_ALL):
            response = self.client.post(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])
        notification.refresh_from_db()
        self.assertIsNone(notification.read_at)


class ReadTest(PersonaTestCase):
    def test_reading_marks_it_and_follows_a_local_link(self) -> None:
        notification = make(self.p.parent, "去看看", url="/accounts/family/")
        response = self.client_for(self.p.parent).post(read_url(notification))
        self.assertRedirects(response, "/accounts/family/", fetch_redirect_response=False)
        notification.refresh_from_db()
        self.assertIsNotNone(notification.read_at)

    def test_a_link_to_another_site_is_not_followed(self) -> None:
        for url in (
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
        ):
            notification = make(self.p.parent, "钓鱼", url=url)
            response = self.client_for(self.p.parent).post(read_url(notification))
            self.assertRedirects(response, INBOX, fetch_redirect_response=False)

    def test_htmx_gets_the_updated_row(self) -> None:
        notification = make(self.p.parent, "行内标记")
        response = self.client_for(self.p.parent).post(
            read_url(notification), HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "notifications/_notification_row.html")
        self.assertContains(response, f'id="notification-{notification.pk}"')
        self.assertNotContains(response, "Mark as read")
        self.assertNotContains(response, "<html")
        notification.refresh_from_db()
        self.assertIsNotNone(notification.read_at)

    def test_someone_elses_notification_is_404_and_stays_unread(self) -> None:
        notification = make(self.p.other_parent, "不是你的")
        for user in (self.p.parent, self.p.outsider):
            response = self.client_for(user).post(read_url(notification))
            self.assertEqual(response.status_code, 404)
        notification.refresh_from_db()
        self.assertIsNone(notification.read_at)

    def test_reading_needs_a_post(self) -> None:
        notification = make(self.p.parent, "x")
        self.assertEqual(
            self.client_for(self.p.parent).get(read_url(notification)).status_code, 405
        )
        notification.refresh_from_db()
        self.assertIsNone(notification.read_at)

    def test_read_all_marks_only_ones_own(self) -> None:
        mine = [make(self.p.parent, "一"), make(self.p.parent, "二")]
        theirs = make(self.p.other_parent, "三")
        response = self.client_for(self.p.parent).post(READ_ALL, follow=True)
        self.assertRedirects(response, INBOX)
        self.assertContains(response, "所有通知已标为已读。")
        self.assertFalse(
            Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).exists()
        )
        theirs.refresh_from_db()
        self.assertIsNone(theirs.read_at)
        self.assertEqual(response.context["unread_notifications"], 0)


class DeliveryLogTest(PersonaTestCase):
    def test_one_sees_ones_own_deliveries_only(self) -> None:
        mine = make(self.p.parent, "我的通知")
        Delivery.objects.create(
            notification=mine,
            channel="sms",
            status="failed",
            attempts=3,
            last_error="TimeoutError: down",
        )
        theirs = make(self.p.other_parent, "别人的通知")
        Delivery.objects.create(notification=theirs, channel="email", status="sent", attempts=1)
        response = self.client_for(self.p.parent).get(DELIVERIES)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "我的通知")
        self.assertContains(response, "短信")
        self.assertNotContains(response, "别人的通知")

    def test_the_log_says_what_happened_in_plain_words(self) -> None:
        mine = make(self.p.parent, "我的通知")
        Delivery.objects.create(
            notification=mine, channel="sms", status="failed", last_error="TimeoutError: down"
        )
        Delivery.objects.create(notification=mine, channel="console", status="sent")
        response = self.client_for(self.p.parent).get(DELIVERIES)
        self.assertContains(response, "未能送达")
        self.assertNotContains(response, "TimeoutError")
        # The developers' console copy reached nobody: a parent is not told of it.
        self.assertEqual([d.channel for d in response.context["page_obj"]], ["sms"])
        self.assertNotContains(response, "Console")

    def test_the_delivery_log_has_a_bounded_query_count(self) -> None:
        client = self.client_for(self.p.parent)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(DELIVERIES).status_code, 200)
            return len(captured)

        def add(count: int) -> None:
            for i in range(count):
                n = make(self.p.parent, f"通知 {i}")
                Delivery.objects.create(notification=n, channel="email", status="sent")

        add(3)
        few = queries()
        add(60)
        self.assertEqual(queries(), few)
