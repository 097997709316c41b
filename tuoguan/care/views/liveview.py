"""The caregivers' side of the live view: the group's notes and activities of the day."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.kit import GET_POST, form_errors, wants_fragment
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from .. import liveview_selectors, selectors
from ..forms import DayNoteForm
from ..models import ON_ROSTER
from ..permissions import can_care
from ..services.liveview import day_note_add


@login_required
@GET_POST
def day_notes(request: ActorRequest, pk: int) -> HttpResponse:
    """Post an activity or a note to the families of the group (or of some children)."""
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    roster = (
        Enrolment.objects.filter(group=group, status__in=ON_ROSTER)
        .select_related("child")
        .order_by("child__name", "pk")
    )
    form = DayNoteForm(request.POST or None, roster=roster)
    if request.method == "POST" and form.is_valid():
        try:
            day_note_add(actor=request.actor, group=group, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The families can see it now."))
            if not wants_fragment(request):
                return redirect("care:day_notes", pk=group.pk)
            form = DayNoteForm(roster=roster)
    context = {
        "group": group,
        "fragment": wants_fragment(request),
        "form": form,
        "notes": liveview_selectors.group_notes(group, timezone.localdate()),
    }
    if wants_fragment(request):
        return render(request, "care/_day_notes.html", context)
    return render(request, "care/day_notes.html", context)
