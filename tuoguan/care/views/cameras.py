"""Room cameras: the class manager registers them and reads who watched; a guardian opens a
stream through a short-lived signed link (the player page, its playlist and segments, its
heartbeat), each request re-checking the token and the live facts (services/cameras.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require
from tuoguan.programs.models import Program
from tuoguan.programs.permissions import can_manage_program

from .. import camera_selectors, selectors, services, streams
from ..forms import CameraForm
from ..models import Camera, CameraView
from ..services.cameras import CAMERA_FIELDS, camera_unavailable, link_max_age, link_refusal

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"


def _camera_form_page(
    request: ActorRequest, program: Program, camera: Camera | None
) -> HttpResponse:
    initial = None
    if camera is not None:
        initial = {name: getattr(camera, name) for name in CAMERA_FIELDS}
        initial["groups"] = list(camera.groups.all())
    form = CameraForm(request.POST or None, initial=initial, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.camera_save(
                actor=request.actor, program=program, camera=camera, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Camera saved."))
            return redirect("care:cameras", pk=program.pk)
    return render(
        request,
        "care/cameras.html",
        {
            "program": program,
            "form": form,
            "camera": camera,
            "rows": [
                (item, camera_unavailable(item, timezone.localdate()))
                for item in camera_selectors.cameras_of(program)
            ]
            if camera is None
            else [],
        },
    )


@login_required
@GET_POST
def cameras(request: ActorRequest, pk: int) -> HttpResponse:
    """The class's cameras and the rooms they film; a new one registered here."""
    program = selectors.program_for_kiosks(request.actor, pk)
    require(can_manage_program(request.actor, program))
    return _camera_form_page(request, program, None)


@login_required
@GET_POST
def camera_edit(request: ActorRequest, pk: int) -> HttpResponse:
    camera = camera_selectors.staff_camera_for(request.actor, pk)
    require(can_manage_program(request.actor, camera.program))
    return _camera_form_page(request, camera.program, camera)


@login_required
def camera_views(request: ActorRequest, pk: int) -> HttpResponse:
    """Who watched which camera when, and for how long."""
    program = selectors.program_for_kiosks(request.actor, pk)
    require(can_manage_program(request.actor, program))
    page = paginate(request, camera_selectors.camera_views_of(program))
    return render(request, "care/camera_views.html", {"program": program, "page": page})


@login_required
@require_POST
def camera_watch(request: ActorRequest, pk: int) -> HttpResponse:
    """A guardian opens the camera of their child's room: a fresh signed link."""
    camera = camera_selectors.family_camera_for(request.actor, pk)
    try:
        view, token = services.camera_watch(actor=request.actor, camera=camera)
    except ValidationError as exc:
        refusal(request, exc)
        return redirect("care:family")
    return redirect(_player_url(view, token))


def _player_url(view: CameraView, token: str) -> str:
    return reverse("care:camera_player", kwargs={"pk": view.pk}) + "?" + urlencode({"t": token})


def _stream_url(view: CameraView, token: str) -> str:
    return reverse("care:camera_playlist", kwargs={"pk": view.pk}) + "?" + urlencode({"t": token})


def _checked(request: ActorRequest, pk: int) -> tuple[CameraView, str, str | None]:
    view = camera_selectors.camera_view_of(request.actor, pk)
    token = request.GET.get("t") or request.POST.get("t") or ""
    return view, token, link_refusal(view=view, user=request.actor.user, token=token)


@login_required
@require_GET
def camera_player(request: ActorRequest, pk: int) -> HttpResponse:
    """The player page: the stream only after the token and the live facts pass. A camera
    server's own address is handed out here and only here; that server must enforce its own
    signed addresses, since one copied is then out of our hands."""
    view, token, refused = _checked(request, pk)
    context: dict[str, object] = {"view": view, "camera": view.camera, "refused": refused}
    if refused is None:
        camera = view.camera
        context.update(
            src=_stream_url(view, token) if camera.local_stream else camera.hls_url,
            token=token,
            heartbeat=reverse("care:camera_heartbeat", kwargs={"pk": view.pk}),
            minutes=link_max_age() // 60,
            enrolment=view.enrolment,
        )
    return render(request, "care/camera_player.html", context, status=403 if refused else 200)


def _refused(reason: str) -> HttpResponse:
    response = HttpResponse(reason, status=403, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def camera_playlist(request: ActorRequest, pk: int) -> HttpResponse:
    """The local stream's playlist, each segment's address carrying the link's token."""
    view, token, refused = _checked(request, pk)
    if refused:
        return _refused(refused)
    path = streams.playlist_path(view.camera.local_stream)
    if path is None:
        raise Http404
    base = reverse("care:camera_segment", kwargs={"pk": view.pk, "n": 0})[: -len("0.ts")]
    query = "?" + urlencode({"t": token})
    text = streams.rewrite_playlist(
        path.read_text(encoding="utf-8"), lambda n: f"{base}{n}.ts{query}"
    )
    response = HttpResponse(text, content_type=PLAYLIST_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def camera_segment(request: ActorRequest, pk: int, n: int) -> HttpResponseBase:
    view, _token, refused = _checked(request, pk)
    if refused:
        return _refused(refused)
    path = streams.segment_path(view.camera.local_stream, n)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type=SEGMENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def camera_heartbeat(request: ActorRequest, pk: int) -> HttpResponse:
    """The player is still open: the view lasts longer and the link is renewed (in the
    `X-Camera-Token` header); refused once the facts no longer hold, and the player stops."""
    view = camera_selectors.camera_view_of(request.actor, pk)
    try:
        token = services.camera_heartbeat(
            view=view, user=request.actor.user, token=request.POST.get("t", "")
        )
    except ValidationError as exc:
        return _refused(" ".join(exc.messages))
    response = HttpResponse(status=204)
    response["X-Camera-Token"] = token
    return response
