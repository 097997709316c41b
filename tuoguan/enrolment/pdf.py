"""The signed care agreement as a PDF (fpdf2), for the family and the union to keep.

Chinese needs a CJK font. The vendored subset of Noto Sans SC (static/vendor/fonts, SIL OFL)
covers GB 2312, so the PDF renders the same on every server; characters beyond it (some
given names) are drawn from a system Noto Sans CJK when one is installed.
"""

import functools
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode

from .models import Agreement

logger = logging.getLogger(__name__)
# fontTools logs every subsetting step at INFO: noise in the server's log for each download.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = Path(settings.BASE_DIR) / "static" / "vendor" / "fonts" / "NotoSansSC-Regular-GB2312.otf"
# (path, index in the collection): index 2 of Noto Sans CJK is the Simplified Chinese face.
SYSTEM_FALLBACKS = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),
]


class _AgreementPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("cjk", size=8)
        self.set_text_color(90, 90, 90)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 8, f"{self.footer_text}    {page}", align="C")


@functools.cache
def _vendored_chars() -> frozenset[int]:
    return frozenset(TTFont(str(FONT), lazy=True).getBestCmap())


def _add_fallback(pdf: FPDF, text: str) -> None:
    """Load a system CJK font only for characters the subset lacks: it takes a second."""
    missing = {ord(c) for c in text if not c.isspace()} - _vendored_chars()
    if not missing:
        return
    for path, index in SYSTEM_FALLBACKS:
        if path.exists():
            pdf.add_font("cjk-system", fname=str(path), collection_font_number=index)
            pdf.set_fallback_fonts(["cjk-system"])
            return
    logger.warning("No CJK font for %d character(s) of an agreement PDF", len(missing))


def _document(agreement: Agreement, text: str) -> _AgreementPDF:
    pdf = _AgreementPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    template = agreement.template
    pdf.footer_text = _("Agreement no. %(pk)s · version %(version)s of %(org)s") % {
        "pk": agreement.pk,
        "version": template.version,
        "org": template.org,
    }
    pdf.add_font("cjk", fname=str(FONT))
    _add_fallback(pdf, text + pdf.footer_text)
    pdf.set_title(f"{template.title} v{template.version}")
    pdf.set_creation_date(agreement.signed_at)
    return pdf


def _facts(agreement: Agreement) -> list[tuple[str, str]]:
    enrolment = agreement.enrolment
    term = enrolment.term
    return [
        (_("Child"), enrolment.child.name),
        (_("Guardian"), enrolment.guardian.user.real_name),
        (_("Class"), f"{term.program.name} · {term.name}"),
        (_("Dates"), f"{term.start_date.isoformat()} – {term.end_date.isoformat()}"),
        (_("Host union"), term.program.host.name),
    ]


def _line(pdf: FPDF, text: str, *, size: float = 11, height: float = 6.5, **kwargs: Any) -> None:
    pdf.set_font("cjk", size=size)
    # CHAR: Chinese has no spaces to break lines at.
    pdf.multi_cell(0, height, text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT", **kwargs)


def agreement_pdf(agreement: Agreement) -> bytes:
    """The agreement as signed: the frozen text, the parties and the signature record."""
    facts = [f"{label}：{value}" for label, value in _facts(agreement)]
    record = _record(agreement)
    title = agreement.template.title
    pdf = _document(agreement, "".join([title, *facts, agreement.text, *record]))
    pdf.add_page()
    _line(pdf, title, size=17, height=10, align="C")
    pdf.ln(2)
    for line in facts:
        _line(pdf, line, size=10, height=6)
    pdf.ln(3)
    for paragraph in agreement.text.splitlines():
        if paragraph.strip():
            _line(pdf, paragraph)
        else:
            pdf.ln(3)
    pdf.ln(6)
    for line in record:
        _line(pdf, line, size=10, height=6)
    return bytes(pdf.output())


def _record(agreement: Agreement) -> list[str]:
    signed_at = timezone.localtime(agreement.signed_at).strftime("%Y-%m-%d %H:%M:%S %Z")
    return [
        _("Signed online by the guardian: %(name)s") % {"name": agreement.signer_name},
        _("Signed at: %(when)s") % {"when": signed_at},
        _("From IP address: %(ip)s") % {"ip": agreement.ip or "—"},
        _("The guardian ticked: “I have read and agree to this agreement.”"),
    ]


def agreement_pdf_filename(agreement: Agreement) -> str:
    # ASCII only: a child's name in a Content-Disposition header breaks some phone browsers.
    return f"agreement-{agreement.pk}-v{agreement.template.version}.pdf"
