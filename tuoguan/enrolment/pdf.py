"""The signed care agreement as a PDF (fpdf2), for the family and the union to keep.

It prints the same legal text the guardian read before signing (`agreements.LegalText`:
title, body as signed, consent sentence), in the contract's language whatever the reader's
interface, then the signature record. Fonts come from `core.fonts`: the vendored GB 2312
subset, then the system fonts for rarer characters. Lines are broken by the Chinese rule
that no line starts with a closing mark (，。）」…) nor ends with an opening one.
"""

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from tuoguan.core import fonts

from .models import Agreement
from .services.agreements import CONTRACT_LANGUAGE, signed_legal_text

logger = logging.getLogger(__name__)
# fontTools logs every subsetting step at INFO: noise in the server's log for each download.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = fonts.VENDORED
# Marks that may not begin a line (they hang in the margin instead) or end one.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉〗”’…‥·％,.;:?!)]}%")
NO_LINE_END = frozenset("（《「『【〔〈〖“‘([{")


def break_lines(text: str, width: Callable[[str], float], room: float) -> list[str]:
    """`text` cut into lines at most `room` wide, by the line-breaking rule above.

    Chinese breaks between any two characters; a closing mark that would start a line stays
    at the end of the one before (hanging punctuation), and an opening mark that would end
    one moves down with the character it opens.
    """
    lines: list[str] = []
    line, used = "", 0.0
    for char in text:
        size = width(char)
        if not line and char in NO_LINE_START and lines:
            lines[-1] += char
            continue
        if line and used + size > room:
            if char in NO_LINE_START:
                lines.append(line + char)
                line, used = "", 0.0
                continue
            carried = ""
            while line and line[-1] in NO_LINE_END:
                carried, line = line[-1] + carried, line[:-1]
            if line:
                lines.append(line)
                line, used = carried, sum(width(c) for c in carried)
            else:
                line = carried
        line += char
        used += size
    if line:
        lines.append(line)
    return lines


class _AgreementPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("cjk", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 8, footer_line(self.footer_text, self.page_no(), "{nb}"), align="C")


def footer_line(text: str, page: int, pages: int | str) -> str:
    return f"{text}    " + _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}


def _add_fonts(pdf: FPDF, text: str) -> None:
    """The vendored font, and a system font only for characters it lacks (loading one takes
    a second); a character no font has is logged: names are refused at input for that."""
    pdf.add_font("cjk", fname=str(FONT))
    vendored = fonts.vendored_chars()
    missing = {ord(c) for c in text if fonts.needs_glyph(c)} - vendored
    chosen = []
    for number, (path, index) in enumerate(fonts.installed_fallbacks()):
        if not missing:
            break
        covered = missing & fonts.fallback_chars(path, index)
        if covered:
            name = f"fallback{number}"
            if index is None:
                pdf.add_font(name, fname=str(path))
            else:
                pdf.add_font(name, fname=str(path), collection_font_number=index)
            chosen.append(name)
            missing -= covered
    if chosen:
        pdf.set_fallback_fonts(chosen)
    if missing:
        logger.warning("No font for %d character(s) of an agreement PDF", len(missing))


def _record(agreement: Agreement) -> list[str]:
    enrolment = agreement.enrolment
    term = enrolment.term
    signed_at = timezone.localtime(agreement.signed_at).strftime("%Y-%m-%d %H:%M:%S %Z")
    return [
        _("Child: %(name)s") % {"name": enrolment.child.name},
        _("Class: %(term)s") % {"term": f"{term.program.name} · {term.name}"},
        _("Dates: %(start)s to %(end)s")
        % {"start": term.start_date.isoformat(), "end": term.end_date.isoformat()},
        _("Host union: %(name)s") % {"name": term.program.host.name},
        _("Signed online by the guardian: %(name)s") % {"name": agreement.signer_name},
        _("Signed at: %(when)s") % {"when": signed_at},
        _("From IP address: %(ip)s") % {"ip": agreement.ip or "—"},
    ]


class _Writer:
    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.widths: dict[tuple[float, str], float] = {}

    def width(self, char: str) -> float:
        key = (self.pdf.font_size_pt, char)
        if key not in self.widths:
            self.widths[key] = self.pdf.get_string_width(char)
        return self.widths[key]

    def paragraph(
        self, text: str, *, size: float = 11, height: float = 6.5, align: str = "L"
    ) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", size=size)
        room = pdf.w - pdf.l_margin - pdf.r_margin - 2 * pdf.c_margin
        for line in break_lines(text, self.width, room):
            pdf.cell(0, height, line, align=align, new_x="LMARGIN", new_y="NEXT")


# The last few PDFs drawn, by a digest of everything printed: drawing one loads fonts and
# subsets them (about a second), and a family or a union downloads the same agreement again.
# Only in this process's memory, a handful at most; a changed name or text is a new digest.
_DRAWN: "OrderedDict[str, bytes]" = OrderedDict()
_DRAWN_KEEP = 8
_DRAWN_LOCK = threading.Lock()


def agreement_pdf(agreement: Agreement) -> bytes:
    """The agreement as signed: its legal text, then the signature record."""
    with translation.override(CONTRACT_LANGUAGE):
        legal = signed_legal_text(agreement)
        record = _record(agreement)
        footer = footer_text(agreement)
        template = agreement.template
        printed: list[Any] = [legal.title, legal.body, legal.consent, record, footer]
        printed.append(template.title)
        printed += [template.version, agreement.signed_at.isoformat(), _("Signature record")]
        printed.append([str(path) for path, _index in fonts.installed_fallbacks()])
        key = hashlib.sha256(json.dumps(printed, default=str).encode()).hexdigest()
        with _DRAWN_LOCK:
            if key in _DRAWN:
                _DRAWN.move_to_end(key)
                return _DRAWN[key]
        drawn = _render(agreement, legal, record, footer)
        with _DRAWN_LOCK:
            _DRAWN[key] = drawn
            while len(_DRAWN) > _DRAWN_KEEP:
                _DRAWN.popitem(last=False)
        return drawn


def _render(agreement: Agreement, legal: Any, record: list[str], footer: str) -> bytes:
    template = agreement.template
    pdf = _AgreementPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.footer_text = footer
    _add_fonts(pdf, "".join([legal.title, legal.body, legal.consent, *record, pdf.footer_text]))
    pdf.set_title(f"{template.title} v{template.version}")
    pdf.set_creation_date(agreement.signed_at)
    pdf.add_page()
    write = _Writer(pdf)
    write.paragraph(legal.title, size=17, height=10, align="C")
    pdf.ln(3)
    for paragraph in legal.paragraphs():
        if paragraph.strip():
            write.paragraph(paragraph)
        else:
            pdf.ln(3)
    pdf.ln(3)
    write.paragraph(legal.consent)
    pdf.ln(6)
    write.paragraph(_("Signature record"), size=12, height=8)
    for line in record:
        write.paragraph(line, size=10, height=6)
    return bytes(pdf.output())


def footer_text(agreement: Agreement) -> str:
    template = agreement.template
    return _("Agreement no. %(pk)s · version %(version)s of %(org)s") % {
        "pk": agreement.pk,
        "version": template.version,
        "org": template.org,
    }


def agreement_pdf_filename(agreement: Agreement) -> str:
    # ASCII only: a child's name in a Content-Disposition header breaks some phone browsers.
    return f"agreement-{agreement.pk}-v{agreement.template.version}.pdf"
