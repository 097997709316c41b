"""The public page of a lottery draw: seed, inputs digest, outcome and a recomputation.

Public on purpose (no login): a fair lottery is one anyone can check (issue 4, DOMAIN §4 —
Jiangmen drew under notary supervision). It shows no personal data: applications by id,
children by the first character of their name only.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from tuoguan.core.kit import paginate
from tuoguan.programs.models import TargetGroup

from .. import selectors
from ..models import Draw
from ..services.draws import draw_differences


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


urlpatterns: list[URLPattern] = [
    path("draws/<int:pk>/", draw_public, name="draw_public"),
]
