"""The signed agreement as a PDF: its content, the font it needs, and who may download it."""

import io
import re
from typing import Any
from unittest import mock, skipUnless

from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ContentStream

from tuoguan.audit.models import AuditEntry
from tuoguan.core import fonts
from tuoguan.enrolment import pdf
from tuoguan.enrolment.models import Agreement
from tuoguan.enrolment.services import agreements

from .paperwork_support import PaperworkCase, actor, seat, term_around


def _to_unicode(font: Any) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode()
    # Characters beyond the BMP (an emoji, a rare Hanzi) are UTF-16 surrogate pairs.
    return {
        int(code, 16): bytes.fromhex(char).decode("utf-16-be")
        for code, char in re.findall(r"<([0-9A-F]{4})> <((?:[0-9A-F]{4}){1,2})>", cmap)
    }


def _decode(string: Any, table: dict[int, str]) -> list[str]:
    raw = bytes(string) if isinstance(string, bytes) else string.get_original_bytes()
    return [table.get(int.from_bytes(raw[i : i + 2]), "") for i in range(0, len(raw), 2)]


def text_of(content: bytes) -> str:
    """The text drawn on every page, without whitespace.

    Decoded here from each font's ToUnicode map and the two-byte codes of the Tj strings:
    pypdf's own extraction misreads codes from 0x0100 up, which a Chinese text soon reaches.
    """
    reader = PdfReader(io.BytesIO(content))
    chars: list[str] = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts = {name: _to_unicode(ref.get_object()) for name, ref in resources["/Font"].items()}
        table: dict[int, str] = {}
        saved: list[dict[int, str]] = []  # q/Q save and restore the font with the state
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                saved.append(table)
            elif operator == b"Q" and saved:
                table = saved.pop()
            elif operator == b"Tf":
                table = fonts[operands[0]]
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else operands
                for string in strings:
                    if isinstance(string, str | bytes):
                        chars += _decode(string, table)
    return "".join("".join(chars).split())


class AgreementPdfTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)
        self.agreement = agreements.agreement_sign(
            actor=actor(self.p.parent),
            enrolment=self.enrolment,
            signer_name="王家长",
            consent=True,
            ip="10.9.8.7",
        )
        self.url = reverse("enrolment:agreement_pdf", kwargs={"pk": self.agreement.pk})

    def test_the_pdf_names_the_child_the_guardian_and_the_term_s_dates(self) -> None:
        text = text_of(pdf.agreement_pdf(self.agreement))
        for value in (
            "王小一",
            "王家长",
            self.term.start_date.isoformat(),
            self.term.end_date.isoformat(),
            "10.9.8.7",
            "第八条个人信息处理",
        ):
            self.assertIn(value, text)

    def test_the_vendored_font_is_enough_without_system_fonts(self) -> None:
        with mock.patch.object(fonts, "SYSTEM_FALLBACKS", []):
            content = pdf.agreement_pdf(self.agreement)
        self.assertTrue(pdf.FONT.exists())
        self.assertIn("王小一", text_of(content))

    @skipUnless(fonts.SYSTEM_FALLBACKS[0][0].exists(), "no system CJK font")
    def test_a_name_beyond_the_vendored_subset_is_drawn_with_the_system_font(self) -> None:
        self.p.child_one.name = "王小玥"  # 玥 is not in GB 2312
        self.p.child_one.save()
        self.agreement.enrolment.child.refresh_from_db()
        self.assertIn("王小玥", text_of(pdf.agreement_pdf(self.agreement)))

    def test_the_pdf_shows_the_text_as_signed_even_after_the_template_changes(self) -> None:
        Agreement.objects.filter(pk=self.agreement.pk).update(text="冻结的协议文本")
        self.agreement.refresh_from_db()
        self.assertIn("冻结的协议文本", text_of(pdf.agreement_pdf(self.agreement)))

    def test_a_second_download_is_the_same_pdf_and_a_changed_name_is_drawn_anew(self) -> None:
        first = pdf.agreement_pdf(self.agreement)
        with mock.patch.object(pdf, "_render", side_effect=AssertionError("drawn again")):
            self.assertEqual(pdf.agreement_pdf(self.agreement), first)
        self.p.child_one.name = "王小二"
        self.p.child_one.save()
        self.agreement.enrolment.child.refresh_from_db()
        self.assertIn("王小二", text_of(pdf.agreement_pdf(self.agreement)))

    def test_the_parent_downloads_it(self) -> None:
        response = self.client_for(self.p.parent).get(self.url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertIn("王小一", text_of(response.content))
        self.assertFalse(
            AuditEntry.objects.filter(action="view", model="enrolment.Agreement").exists()
        )

    def test_the_union_downloads_it_and_the_read_is_audited(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url)
        self.assertEqual(response.status_code, 200)
        entry = AuditEntry.objects.get(action="view", model="enrolment.Agreement")
        self.assertEqual(entry.actor_id, self.p.city_admin.pk)

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.other_parent).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().get(self.url))
