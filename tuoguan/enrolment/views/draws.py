"""The public page of a lottery draw: seed, inputs digest, outcome and a recomputation.

Public on purpose (no login): a fair lottery is one anyone can check (issue 4, DOMAIN §4 —
Jiangmen drew under notary supervision). It shows no personal data: applications by id,
children by the first character of their name only.
"""

from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from tuoguan.core.kit import paginate
from tuoguan.programs.models import TargetGroup

from .. import selectors, verify_draw
from ..models import Draw
from ..services.draws import draw_differences
from ..services.lottery import canonical_json


def _tier_labels(codes: list[list[str]]) -> list[str]:
    labels = []
    for tier in codes:
        names = [str(TargetGroup(c).label) if c in TargetGroup.values else c for c in tier]
        labels.append(", ".join(names))
    return labels


def _rows(draw: Draw, page_ids: list[int], start: int) -> list[dict[str, Any]]:
    outcome = draw.outcome or {}
    admitted = {row[0]: row[1] for row in outcome.get("admitted", [])}
    waitlist = {pk: n for n, pk in enumerate(outcome.get("waitlist", []), start=1)}
    tiers = {row[0]: row[1] for row in (draw.inputs or {}).get("applicants", [])}
    groups = {g.pk: g.name for g in draw.term.groups.all()}
    initials = selectors.draw_child_initials(page_ids)
    return [
        {
            "position": start + n,
            "id": pk,
            "initials": initials.get(pk, "?**"),
            "tier": tiers.get(pk, 0) + 1,
            "admitted": pk in admitted,
            "group": groups.get(admitted.get(pk) or 0, ""),
            "waitlist": waitlist.get(pk),
        }
        for n, pk in enumerate(page_ids)
    ]


@require_GET
def draw_public(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_public(pk)
    order = list((draw.outcome or {}).get("order", []))
    page = paginate(request, order)
    finished = draw.status in (Draw.Status.DONE, Draw.Status.SUPERSEDED)
    inputs = draw.inputs or {}
    context = {
        "draw": draw,
        "term": draw.term,
        "page_obj": page,
        "rows": _rows(draw, list(page.object_list), page.start_index()) if order else [],
        "differences": draw_differences(draw) if finished else None,
        "applicants": len(inputs.get("applicants", [])),
        "seats": inputs.get("seats"),
        "admitted_count": len((draw.outcome or {}).get("admitted", [])),
        "waitlist_count": len((draw.outcome or {}).get("waitlist", [])),
        "tiers": _tier_labels(inputs.get("tiers", [])),
        "other_draws": Draw.objects.filter(term=draw.term)
        .exclude(pk=draw.pk)
        .only("pk", "started_at", "status")
        .order_by("-started_at"),
    }
    return render(request, "enrolment/draw_public.html", context)


def _download(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def draw_inputs(request: HttpRequest, pk: int) -> HttpResponse:
    """The published inputs, byte for byte what the digest on the page is the SHA-256 of."""
    draw = selectors.draw_public(pk)
    content = canonical_json(draw.inputs).encode("utf-8")
    return _download(content, name=f"draw-{draw.pk}-inputs.json", content_type="application/json")


@require_GET
def draw_result(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_public(pk)
    if draw.status not in (Draw.Status.DONE, Draw.Status.SUPERSEDED):
        raise Http404
    content = canonical_json(draw.outcome).encode("utf-8")
    return _download(content, name=f"draw-{draw.pk}-result.json", content_type="application/json")


@require_GET
def draw_verifier(request: HttpRequest) -> HttpResponse:
    """The stand-alone script the platform draws with, to recompute a draw at home."""
    content = Path(verify_draw.__file__).read_bytes()
    return _download(content, name="verify_draw.py", content_type="text/x-python; charset=utf-8")


urlpatterns: list[URLPattern] = [
    path("draws/<int:pk>/", draw_public, name="draw_public"),
    path("draws/<int:pk>/inputs.json", draw_inputs, name="draw_inputs"),
    path("draws/<int:pk>/result.json", draw_result, name="draw_result"),
    path("draws/verify_draw.py", draw_verifier, name="draw_verifier"),
]
