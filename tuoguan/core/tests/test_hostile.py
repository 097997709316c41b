"""The shared pieces against hostile input, one by one (the probes over every endpoint are in
tests/test_hostile_input.py): the JSON parser, the text check, the id reader, the zip check,
the export writer, the upload gate, and the headers and idle timeout of every reply."""

import io
import time
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from PIL import Image
from rest_framework.exceptions import ParseError

from tuoguan.core import xlsx
from tuoguan.core.files import UploadKind, upload_check
from tuoguan.core.inputs import MAX_DB_INT, db_int, first_bad_text
from tuoguan.core.middleware import IDLE_SESSION_KEY
from tuoguan.core.parsers import JSONParser
from tuoguan.testing import PersonaTestCase


def parse(body: str) -> object:
    return JSONParser().parse(io.BytesIO(body.encode()), "application/json", {})


class ParserTests(SimpleTestCase):
    def test_nesting_up_to_the_cap_parses_and_beyond_it_is_refused(self) -> None:
        with override_settings(TUOGUAN_MAX_JSON_DEPTH=5):
            self.assertEqual(parse("[[[[[1]]]]]"), [[[[[1]]]]])
            with self.assertRaises(ParseError):
                parse("[[[[[[1]]]]]]")

    def test_nesting_past_the_decoder_s_stack_is_a_parse_error_not_a_recursion_error(
        self,
    ) -> None:
        with self.assertRaises(ParseError):
            parse("[" * 100_000 + "]" * 100_000)

    def test_a_lone_surrogate_or_nul_names_the_top_level_field(self) -> None:
        for body in ('{"name": "\\ud800"}', '{"name": ["ok", {"x": "a\\u0000"}]}'):
            with self.assertRaises(ParseError) as caught:
                parse(body)
            self.assertEqual(list(caught.exception.detail), ["name"])  # type: ignore[arg-type]

    def test_ordinary_json_is_unchanged(self) -> None:
        self.assertEqual(
            parse('{"名字": "王小一", "n": [1, 2.5, null]}'),
            {"名字": "王小一", "n": [1, 2.5, None]},
        )

    def test_the_walk_finds_a_bad_key(self) -> None:
        self.assertEqual(first_bad_text({"a\x00": 1}, limit=10), ("a\ufffd", "text"))


class IdReaderTests(SimpleTestCase):
    def test_only_ids_a_database_holds_are_read(self) -> None:
        self.assertEqual(db_int(" 42 "), 42)
        self.assertEqual(db_int(str(MAX_DB_INT)), MAX_DB_INT)
        for value in (str(MAX_DB_INT + 1), "1" + "0" * 30, "-1", "0", "abc", "", None, "9" * 5000):
            self.assertIsNone(db_int(value), value)


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


class ZipCheckTests(SimpleTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    def test_a_part_packed_beyond_the_ratio_is_refused(self) -> None:
        content = zipped({"xl/sharedStrings.xml": b"A" * (5 * 1024 * 1024)})
        with self.assertRaisesMessage(xlsx.XlsxFileError, "times its size"):
            xlsx.zip_check(content)

    @override_settings(TUOGUAN_MAX_XLSX_UNPACKED_BYTES=1024)
    def test_parts_beyond_the_total_are_refused(self) -> None:
        with self.assertRaisesMessage(xlsx.XlsxFileError, "unpacks to more than"):
            xlsx.zip_check(zipped({"a.xml": b"x" * 600, "b.xml": b"y" * 600}))

    def test_a_real_workbook_passes(self) -> None:
        book = xlsx.ExportWorkbook()
        sheet = book.sheet("S", header=["Name"])
        for n in range(2000):
            sheet.append([f"王小{n}", n])
        xlsx.zip_check(book.content())


class WriterTests(SimpleTestCase):
    def test_every_formula_start_is_written_as_text(self) -> None:
        book = xlsx.ExportWorkbook()
        sheet = book.sheet("S", header=["=header"])
        values = [start + "HYPERLINK(1)" for start in xlsx.FORMULA_STARTS]
        sheet.append([*values, -5, "plain", None])
        reopened = load_workbook(io.BytesIO(book.content())).worksheets[0]
        self.assertEqual(reopened["A1"].value, "'=header")
        row = [cell.value for cell in reopened[2]]
        # XML turns a carriage return into a line feed; the apostrophe stays in front.
        self.assertEqual(row[:6], ["'" + v.replace("\r", "\n") for v in values])
        self.assertEqual(row[6:8], [-5, "plain"])
        self.assertFalse(any(c.data_type == "f" for r in reopened.iter_rows() for c in r))


def png(width: int, height: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue())


class UploadGateTests(SimpleTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    @override_settings(TUOGUAN_MAX_IMAGE_PIXELS=10_000)
    def test_an_image_over_the_pixel_limit_is_refused_from_its_header(self) -> None:
        self.assertEqual(upload_check(png(100, 100), UploadKind(images_only=True)), "PNG")
        with self.assertRaisesMessage(ValidationError, "more than 0.01 million pixels"):
            upload_check(png(101, 100), UploadKind(images_only=True))

    def test_a_pdf_passes_where_documents_are_taken(self) -> None:
        pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 rest")
        self.assertEqual(upload_check(pdf, UploadKind()), "PDF")
        with self.assertRaises(ValidationError):
            upload_check(pdf, UploadKind(images_only=True))


class ReplyHeaderTests(PersonaTestCase):
    def test_a_logged_in_page_and_api_reply_are_never_stored(self) -> None:
        client = self.client_for(self.p.parent)
        for url in (reverse("core:home"), "/api/v1/children/"):
            response = client.get(url)
            self.assertEqual(response["Cache-Control"], "no-store", url)
            self.assertIn("camera=()", response["Permissions-Policy"])

    def test_a_public_page_keeps_its_caching_but_gets_the_policy(self) -> None:
        response = self.client.get(reverse("accounts:login"))
        self.assertNotEqual(response.get("Cache-Control"), "no-store")
        self.assertIn("geolocation=()", response["Permissions-Policy"])


@override_settings(TUOGUAN_STAFF_IDLE_MINUTES=30)
class IdleTimeoutTests(PersonaTestCase):
    def idle(self, user: object, minutes: int) -> object:
        client = self.client_for(user)
        session = client.session
        session[IDLE_SESSION_KEY] = int(time.time()) - minutes * 60
        session.save()
        return client

    def test_a_staff_session_idle_too_long_is_logged_out(self) -> None:
        client = self.idle(self.p.city_admin, 31)
        response = client.get(reverse("core:home"))  # type: ignore[attr-defined]
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertNotIn("_auth_user_id", client.session)  # type: ignore[attr-defined]
        api = self.idle(self.p.city_admin, 31).get("/api/v1/orgs/")  # type: ignore[attr-defined]
        self.assertEqual(api.status_code, 403)

    def status_after(self, user: object, minutes: int) -> int:
        client = self.idle(user, minutes)
        return int(client.get(reverse("accounts:tokens")).status_code)  # type: ignore[attr-defined]

    def test_a_recent_staff_session_and_a_parent_s_idle_one_go_on(self) -> None:
        self.assertEqual(self.status_after(self.p.city_admin, 29), 200)
        self.assertEqual(self.status_after(self.p.parent, 600), 200)

    @override_settings(TUOGUAN_STAFF_IDLE_MINUTES=0)
    def test_zero_turns_the_timeout_off(self) -> None:
        self.assertEqual(self.status_after(self.p.city_admin, 600), 200)
