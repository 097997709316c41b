"""One legal text: the page the parent signs and the PDF that records it say the same words,
in Chinese whatever the interface language; the PDF keeps every character a user typed and
breaks lines by the Chinese rule."""

import datetime
import html
import io
import re
from decimal import Decimal
from typing import Any
from unittest import mock, skipUnless

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader
from pypdf.generic import ContentStream

from tuoguan.accounts import services as people
from tuoguan.core import fonts
from tuoguan.enrolment import pdf
from tuoguan.enrolment.models import Agreement
from tuoguan.programs.tests.factories import make_program, make_term

from .paperwork_support import PaperworkCase, actor, seat, today
from .test_pdf import _decode, _to_unicode, text_of

CJK_INSTALLED = fonts.SYSTEM_FALLBACKS[0][0].exists()
DEJAVU_INSTALLED = fonts.SYSTEM_FALLBACKS[2][0].exists()


def squeeze(text: str) -> str:
    return "".join(text.split())


def page_legal_text(content: bytes) -> str:
    """The words of the page's agreement section (title, body, consent), without whitespace."""
    found = re.search(rb'<section[^>]*id="agreement-text".*?</section>', content, re.S)
    assert found is not None
    return squeeze(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0).decode())))


def pdf_lines(content: bytes) -> list[str]:
    """The PDF's lines in order: each text position (Td) starts one."""
    reader = PdfReader(io.BytesIO(content))
    lines: list[str] = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        tables = {name: _to_unicode(ref.get_object()) for name, ref in resources["/Font"].items()}
        table: dict[int, str] = {}
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                table = tables[operands[0]]
            elif operator == b"Td":
                lines.append("")
            elif operator == b"Tj":
                lines[-1] += "".join(_decode(operands[0], table))
    return [line for line in lines if line.strip()]


class LegalTextCase(PaperworkCase):
    def setUp(self) -> None:
        program = make_program(self.p, fee_policy="fee", fee_amount=Decimal("300"))
        start = today() + datetime.timedelta(days=10)
        self.term = make_term(
            self.p, program=program, start_date=start, end_date=start + datetime.timedelta(days=20)
        )
        self.enrolment = seat(self.term, self.p.child_one)
        self.url = reverse("enrolment:agreement_sign", kwargs={"pk": self.enrolment.pk})

    def parent(self, language: str) -> Client:
        client = self.client_for(self.p.parent)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    def sign(self, client: Client) -> Agreement:
        response = client.post(self.url, {"signer_name": "王家长", "consent": "on"})
        self.assertEqual(response.status_code, 302)
        return Agreement.objects.get(enrolment=self.enrolment)

    def pdf_of(self, client: Client, agreement: Agreement) -> bytes:
        response = client.get(reverse("enrolment:agreement_pdf", kwargs={"pk": agreement.pk}))
        self.assertEqual(response["Content-Type"], "application/pdf")
        return response.content

    def pdf_legal_text(self, content: bytes, agreement: Agreement) -> str:
        """The PDF's words before its signature record, without the page footers."""
        text = text_of(content)
        pages = len(PdfReader(io.BytesIO(content)).pages)
        with translation.override("zh-hans"):
            for number in range(1, pages + 1):
                footer = pdf.footer_line(pdf.footer_text(agreement), number, pages)
                text = text.replace(squeeze(footer), "")
            record = squeeze(gettext("Signature record"))
        self.assertIn(record, text)
        return text[: text.index(record)]


class SameWordsTest(LegalTextCase):
    def test_the_page_and_the_pdf_say_the_same_words_in_chinese(self) -> None:
        client = self.parent("zh-hans")
        before = page_legal_text(client.get(self.url).content)
        self.assertIn("每名儿童收费300元", before)
        self.assertTrue(before.endswith("我已阅读并同意本协议。"))
        agreement = self.sign(client)
        self.assertEqual(self.pdf_legal_text(self.pdf_of(client, agreement), agreement), before)
        # After signing, the page shows the text as signed: still the same words.
        self.assertEqual(page_legal_text(client.get(self.url).content), before)

    def test_an_english_interface_signs_the_same_chinese_text(self) -> None:
        chinese = page_legal_text(self.parent("zh-hans").get(self.url).content)
        client = self.parent("en")
        page = client.get(self.url)
        english = page_legal_text(page.content)
        self.assertEqual(english, chinese)
        self.assertNotIn("yuan", english)
        self.assertNotIn("agree to this agreement", english)
        # The box ticked is the Chinese sentence; an English gloss sits beside it.
        self.assertContains(page, 'lang="zh-Hans">我已阅读并同意本协议。</label>', html=False)
        self.assertContains(page, "(I have read and agree to this agreement.)")
        self.assertContains(page, "signed in its Chinese text")
        agreement = self.sign(client)
        self.assertIn("每名儿童收费 300 元", agreement.text)
        pdf_text = self.pdf_legal_text(self.pdf_of(client, agreement), agreement)
        self.assertEqual(pdf_text, chinese)

    def test_the_api_gives_the_same_text_and_consent_sentence(self) -> None:
        from tuoguan.programs.tests.support import api_for

        response = api_for(self.p.parent).get(
            reverse("enrolment-agreement", kwargs={"pk": self.enrolment.pk}),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        body = response.json()
        self.assertEqual(body["language"], "zh-hans")
        self.assertEqual(body["consent"], "我已阅读并同意本协议。")
        page = page_legal_text(self.parent("en").get(self.url).content)
        self.assertEqual(squeeze(body["title"] + body["text"] + body["consent"]), page)


class EveryCharacterTest(LegalTextCase):
    def rename_child(self, name: str) -> None:
        people.child_update(actor=actor(self.p.parent), child=self.p.child_one, name=name)

    @skipUnless(CJK_INSTALLED and DEJAVU_INSTALLED, "the system fallback fonts are not installed")
    def test_an_emoji_and_a_rare_hanzi_are_drawn_with_a_fallback_font(self) -> None:
        self.rename_child("王😀𬌗")  # 😀 from DejaVu Sans, 𬌗 (beyond GB 2312) from Noto Sans CJK
        client = self.parent("zh-hans")
        agreement = self.sign(client)
        text = text_of(self.pdf_of(client, agreement))
        self.assertIn("托管儿童：王😀𬌗", text)
        self.assertIn("王😀𬌗", text.split("签署记录")[1])

    def test_a_character_no_font_has_is_refused_at_input_with_a_message(self) -> None:
        with mock.patch.object(fonts, "SYSTEM_FALLBACKS", []):
            with self.assertRaises(ValidationError) as caught:
                self.rename_child("王小玥")  # 玥 is not in the vendored GB 2312 subset
            self.assertIn("“玥” cannot be printed on the care agreement", str(caught.exception))
            page = self.client_for(self.p.parent).post(
                reverse("accounts:child_edit", kwargs={"pk": self.p.child_one.pk}),
                {"name": "王小玥", "sex": "M", "birth_date": "2017-05-01", "grade": "3",
                 "relationship": "father"},
            )  # fmt: skip
            self.assertContains(page, "cannot be printed on the care agreement", status_code=200)
        self.p.child_one.refresh_from_db()
        self.assertNotIn("玥", self.p.child_one.name)

    def test_nothing_visible_is_ever_undrawable_for_a_common_name(self) -> None:
        self.assertEqual(fonts.undrawable("王小一 Wang Xiaoyi（小名：一一）"), [])
        self.assertEqual(fonts.undrawable("❤️"[1:]), [])  # a variation selector draws nothing


class LineBreakTest(LegalTextCase):
    def test_no_line_of_the_pdf_starts_with_a_closing_mark(self) -> None:
        client = self.parent("zh-hans")
        agreement = self.sign(client)
        with translation.override("zh-hans"):
            footer = squeeze(pdf.footer_text(agreement))
        lines = [
            line
            for line in pdf_lines(self.pdf_of(client, agreement))
            if footer not in squeeze(line)
        ]
        self.assertGreater(len(lines), 30)
        starts = [line for line in lines if line[0] in pdf.NO_LINE_START]
        self.assertEqual(starts, [])
        ends = [line for line in lines if line[-1] in pdf.NO_LINE_END]
        self.assertEqual(ends, [])
        # Nothing lost in the breaking: the lines hold the whole signed text.
        self.assertIn(squeeze(agreement.text), "".join(squeeze(line) for line in lines))

    def test_a_closing_mark_hangs_and_an_opening_mark_moves_down(self) -> None:
        def width(char: str) -> float:
            return 1.0

        self.assertEqual(pdf.break_lines("一二三，四", width, 3), ["一二三，", "四"])
        self.assertEqual(pdf.break_lines("一二三。”四", width, 3), ["一二三。”", "四"])
        self.assertEqual(pdf.break_lines("一二（三四", width, 3), ["一二", "（三四"])
        self.assertEqual(pdf.break_lines("一二三四五六七", width, 3), ["一二三", "四五六", "七"])
