"""A second "remind parents" soon after the first asks first, saying when the last went out."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tuoguan.enrolment.models import PaperworkReminder
from tuoguan.enrolment.services import roster as rosters
from tuoguan.notifications.models import Notification
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, open_term


class RemindAgainTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = open_term(self.p, capacity=3)
        apply(self.p, self.term, self.p.child_one)
        self.client_ = self.client_for(self.p.grassroots_admin)
        self.url = reverse("enrolment:roster_remind", args=[self.term.pk])
        self.roster = reverse("enrolment:roster", args=[self.term.pk])

    def reminders(self) -> int:
        return Notification.objects.filter(subject__startswith="Paperwork missing").count()

    def test_a_second_press_asks_for_confirmation_and_sends_nothing(self) -> None:
        self.assertRedirects(self.client_.post(self.url), self.roster)
        self.assertEqual(self.reminders(), 1)
        sent_at = PaperworkReminder.objects.get().sent_at
        page = self.client_.post(self.url)
        self.assertEqual(page.status_code, 200)
        self.assertTemplateUsed(page, "enrolment/roster_remind_confirm.html")
        when = timezone.localtime(sent_at).strftime("%Y-%m-%d %H:%M")
        self.assertContains(page, f"Parents were last reminded on {when}")
        self.assertContains(page, 'name="confirm" value="again"')
        self.assertEqual(self.reminders(), 1)
        self.assertEqual(PaperworkReminder.objects.count(), 1)

    def test_confirmed_it_sends_again_and_records_the_round(self) -> None:
        self.client_.post(self.url)
        response = self.client_.post(self.url, {"confirm": "again"})
        self.assertRedirects(response, self.roster)
        self.assertEqual(self.reminders(), 2)
        rounds = PaperworkReminder.objects.order_by("pk")
        self.assertEqual([r.families for r in rounds], [1, 1])
        self.assertEqual(rounds[1].sent_by, self.p.grassroots_admin)

    def test_after_the_set_time_it_sends_without_asking(self) -> None:
        self.client_.post(self.url)
        PaperworkReminder.objects.update(
            sent_at=PaperworkReminder.objects.get().sent_at
            - rosters.REMIND_AGAIN_AFTER
            - datetime.timedelta(minutes=1)
        )
        self.assertRedirects(self.client_.post(self.url), self.roster)
        self.assertEqual(self.reminders(), 2)

    def test_the_roster_says_when_the_last_reminder_went_out(self) -> None:
        self.assertNotContains(self.client_.get(self.roster), "Last reminder sent on")
        rosters.roster_remind(actor=actor(self.p.grassroots_admin), term=self.term)
        self.assertContains(self.client_.get(self.roster), "Last reminder sent on")

    def test_the_service_refuses_a_second_round_without_confirmation(self) -> None:
        rosters.roster_remind(actor=actor(self.p.grassroots_admin), term=self.term)
        with self.assertRaises(rosters.RemindedRecently) as caught:
            rosters.roster_remind(actor=actor(self.p.grassroots_admin), term=self.term)
        self.assertEqual(caught.exception.last, PaperworkReminder.objects.get())
