"""The report of a visit as a PDF (fpdf2): the class, the checklist, the photos, signatures.

Fonts come from `core.fonts` (the vendored GB 2312 subset of Noto Sans SC, then system fonts
for rarer characters). Photos are the re-encoded copies in storage, drawn under their item.
"""

import io
import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode

from tuoguan.core import fonts

from .models import ItemResult, Visit
from .providers import attendance_on
from .selectors import checklist

logger = logging.getLogger(__name__)
logging.getLogger("fontTools").setLevel(logging.WARNING)
PHOTO_WIDTH = 55


def _fonts(pdf: FPDF, text: str) -> None:
    pdf.add_font("cjk", fname=str(fonts.VENDORED))
    missing = {ord(c) for c in text if fonts.needs_glyph(c)} - fonts.vendored_chars()
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


def _when(value: object) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _facts(visit: Visit) -> list[str]:
    term = visit.term
    attendance = attendance_on(term, visit.date)

    def figure(value: int | None) -> str:
        return str(value) if value is not None else _("not yet measured")

    return [
        _("Class: %(name)s") % {"name": f"{term.program.name} · {term.name}"},
        _("Host union: %(name)s") % {"name": term.program.host.name},
        _("Planned by: %(name)s") % {"name": visit.planner.name},
        _("Date: %(date)s") % {"date": visit.date.isoformat()},
        _("Inspectors: %(names)s")
        % {"names": "、".join(u.real_name or u.username for u in visit.inspectors.all())},
        _("Standard: %(title)s") % {"title": str(visit.standard) if visit.standard else "—"},
        _("Children present: %(n)s")
        % {"n": figure(attendance.children_present if attendance else None)},
        _("Carers on duty: %(n)s")
        % {"n": figure(attendance.carers_on_duty if attendance else None)},
    ]


def visit_pdf(visit: Visit) -> bytes:
    with translation.override("zh-hans"):
        return _render(visit)


def _render(visit: Visit) -> bytes:
    items = checklist(visit)
    results = dict(ItemResult.choices)
    facts = _facts(visit)
    lines = [
        *facts,
        *(f"{i.label} {i.notes} {i.data_detail}" for i in items),
        visit.signed_name,
        visit.acknowledged_name,
        visit.summary,
    ]
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    title = _("Inspection visit report")
    _fonts(pdf, "".join([title, *lines, _("Signatures"), _("Checklist")]))
    pdf.set_title(f"{title} {visit.pk}")
    pdf.add_page()

    def write(text: str, size: float = 10, height: float = 6) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(0, height, text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")

    write(title, size=16, height=10)
    for line in facts:
        write(line)
    if visit.summary:
        write(visit.summary)
    pdf.ln(3)
    write(_("Checklist"), size=13, height=8)
    for number, item in enumerate(items, start=1):
        verdict = results.get(item.result, _("not judged"))
        veto = _(" (veto)") if item.is_veto else ""
        write(f"{number}. {item.label}{veto}: {verdict}", size=10.5)
        if item.data_detail:
            write(_("From the data: %(detail)s") % {"detail": item.data_detail}, size=9)
        if item.notes:
            write(_("Notes: %(notes)s") % {"notes": item.notes}, size=9)
        for photo in item.photos.all():
            _photo(pdf, photo)
    pdf.ln(3)
    write(_("Signatures"), size=13, height=8)
    write(
        _("Inspector: %(name)s at %(when)s")
        % {"name": visit.signed_name or "—", "when": _when(visit.signed_at)}
    )
    write(
        _("Class manager: %(name)s at %(when)s")
        % {"name": visit.acknowledged_name or "—", "when": _when(visit.acknowledged_at)}
    )
    return bytes(pdf.output())


def _photo(pdf: FPDF, photo: object) -> None:
    try:
        with photo.image.open("rb") as handle:  # type: ignore[attr-defined]
            data = handle.read()
        if pdf.get_y() > pdf.h - 70:
            pdf.add_page()
        pdf.image(io.BytesIO(data), w=PHOTO_WIDTH)
        pdf.ln(2)
    except Exception:  # a photo lost from storage must not cost the whole report
        logger.exception("photo %s could not be drawn", getattr(photo, "pk", None))


def visit_pdf_filename(visit: Visit) -> str:
    return f"visit-{visit.pk}-{visit.date.isoformat()}.pdf"
