"""Anyone can check a draw: `manage.py verify_draw` and the public draw page."""

import io

from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tuoguan.enrolment.models import Draw
from tuoguan.enrolment.services import draw_run
from tuoguan.programs.models import EnrolMode, Term
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, close_window, family, open_term


class VerifyDrawTestCase(PersonaTestCase):
    term: Term

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        term = open_term(cls.p, mode=EnrolMode.LOTTERY, capacity=2)
        for n in range(4):
            apply(cls.p, term, family(cls.p, n)[2])
        cls.term = close_window(term)

    def setUp(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            draw = draw_run(actor=actor(self.p.grassroots_admin), term=self.term, seed="种子-42")
        self.draw = Draw.objects.get(pk=draw.pk)

    def tamper(self) -> None:
        outcome = dict(self.draw.outcome)
        admitted, waitlist = list(outcome["admitted"]), list(outcome["waitlist"])
        # Swap one admitted child with the first on the waitlist.
        admitted[0], waitlist[0] = [waitlist[0], admitted[0][1]], admitted[0][0]
        Draw.objects.filter(pk=self.draw.pk).update(
            outcome={**outcome, "admitted": admitted, "waitlist": waitlist}
        )


class VerifyCommandTest(VerifyDrawTestCase):
    def test_an_untouched_draw_verifies(self) -> None:
        out = io.StringIO()
        call_command("verify_draw", str(self.term.pk), stdout=out)
        text = out.getvalue()
        self.assertIn("种子-42", text)
        self.assertIn(self.draw.inputs_digest, text)
        self.assertIn("OK — same outcome", text)

    def test_a_tampered_outcome_fails_with_exit_code_1(self) -> None:
        self.tamper()
        out = io.StringIO()
        with translation.override("en"), self.assertRaises(SystemExit) as caught:
            call_command("verify_draw", str(self.term.pk), stdout=out)
        self.assertEqual(caught.exception.code, 1)
        self.assertIn("MISMATCH", out.getvalue())
        self.assertIn("admitted", out.getvalue())

    def test_tampered_inputs_change_the_digest(self) -> None:
        inputs = dict(self.draw.inputs)
        inputs["seats"] = 3
        Draw.objects.filter(pk=self.draw.pk).update(inputs=inputs)
        out = io.StringIO()
        with translation.override("en"), self.assertRaises(SystemExit):
            call_command("verify_draw", str(self.term.pk), stdout=out)
        self.assertIn("digest differs", out.getvalue())

    def test_a_term_without_a_draw_is_an_error(self) -> None:
        with self.assertRaises(CommandError):
            call_command("verify_draw", "999999", stdout=io.StringIO())


class PublicDrawPageTest(VerifyDrawTestCase):
    def url(self) -> str:
        return reverse("enrolment:draw_public", kwargs={"pk": self.draw.pk})

    def test_anyone_can_read_the_draw_without_logging_in(self) -> None:
        response = Client().get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "种子-42")
        self.assertContains(response, self.draw.inputs_digest)
        self.assertContains(response, 'class="status-ok"')
        for pk in self.draw.outcome["order"]:
            self.assertContains(response, f"<td>{pk}</td>")

    def test_children_are_anonymised(self) -> None:
        response = Client().get(self.url())
        self.assertContains(response, "孩**")
        self.assertNotContains(response, "孩子0")
        self.assertNotContains(response, "家长0")

    def test_a_tampered_outcome_shows_the_differences(self) -> None:
        self.tamper()
        response = Client().get(self.url())
        self.assertContains(response, 'class="status-err"')
        self.assertNotContains(response, 'class="status-ok"')

    def test_the_page_needs_a_bounded_number_of_queries(self) -> None:
        client = Client()
        client.get(self.url())
        with self.assertNumQueries(4):
            client.get(self.url())

    def test_an_unknown_draw_is_404(self) -> None:
        response = Client().get(reverse("enrolment:draw_public", kwargs={"pk": 999999}))
        self.assertEqual(response.status_code, 404)
