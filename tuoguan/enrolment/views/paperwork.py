"""The paperwork pages: the family's checklist and one page per item, and the union's pages
for agreement versions and the insurer's roster import.

Access: the family completes its own paperwork; staff whose roster shows the enrolment read
the checklist, the signed PDF and (caregivers, during the term) the health note, and get 403
on the family's forms; anyone else gets 404.
"""

import mimetypes
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.audit.middleware import client_ip
from tuoguan.audit.services import audit_view
from tuoguan.core.jobs import job_create
from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal
from tuoguan.orgs.kit import ActorRequest, actor_of, own_org
from tuoguan.orgs.permissions import can_change_child, require

from .. import selectors
from ..forms.paperwork import (
    AgreementSignForm,
    AgreementTemplateForm,
    HealthNoteForm,
    InsuranceForm,
    InsuranceImportForm,
    PickupForm,
    RiskAckForm,
)
from ..models import Enrolment
from ..pdf import agreement_pdf as render_agreement_pdf
from ..pdf import agreement_pdf_filename
from ..permissions import is_family
from ..services import agreements, health, insurance, insurer_roster, paperwork, pickups

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _next(request: HttpRequest, default: str) -> str:
    """Where to go back to: a local `next` (the checklist), else `default`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _family_enrolment(request: ActorRequest, pk: int) -> Enrolment:
    """An enrolment the actor completes: invisible → 404; staff's view of it → 403."""
    enrolment = selectors.enrolment_for_paperwork(request.actor, pk)
    require(is_family(request.actor, enrolment))
    return enrolment


def _family_child(request: ActorRequest, child_pk: int) -> Any:
    child = selectors.paperwork_child_for(request.actor, child_pk)
    require(can_change_child(request.actor, child))
    return child


def _file(field: Any, *, name: str) -> FileResponse:
    if not field:
        raise Http404
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- The checklist ----------------------------------------------------------------------------


@login_required
@require_GET
def paperwork_page(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    enrolment = selectors.enrolment_for_paperwork(actor, pk)
    family = is_family(actor, enrolment)
    items = paperwork.paperwork_checklist(enrolment, staff=not family, actor=actor)
    context = {
        "enrolment": enrolment,
        "items": items,
        "family": family,
        "missing": sum(1 for item in items if not item.done),
    }
    template = "enrolment/_checklist.html" if request.htmx else "enrolment/paperwork.html"
    return render(request, template, context)


# --- Agreement ------------------------------------------------------------------------------


@login_required
@GET_POST
def agreement_sign(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = _family_enrolment(request, pk)
    template = agreements.template_for_enrolment(enrolment)
    form = AgreementSignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_sign(
                actor=request.actor,
                enrolment=enrolment,
                signer_name=form.cleaned_data["signer_name"],
                consent=form.cleaned_data["consent"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the agreement is signed."))
            return redirect("enrolment:paperwork", pk=enrolment.pk)
    signed = agreements.agreement_current(enrolment)
    legal = None
    if signed is not None:
        legal = agreements.signed_legal_text(signed)
    elif template is not None:
        legal = agreements.legal_text(template, enrolment)
        # The box ticked is the sentence of the legal text, in its language.
        form.fields["consent"].label = legal.consent
    context = {
        "enrolment": enrolment,
        "template": template,
        "legal": legal,
        "signed": signed,
        "form": form,
    }
    return render(request, "enrolment/agreement_sign.html", context)


@login_required
@require_GET
def agreement_pdf(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    agreement = selectors.agreement_for(actor, pk)
    if not is_family(actor, agreement.enrolment):
        audit_view(instance=agreement, reason=_("signed agreement downloaded"))
    response = HttpResponse(render_agreement_pdf(agreement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_pdf_filename(agreement)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@GET_POST
def agreement_templates(request: ActorRequest) -> HttpResponse:
    """A union admin's versions of the agreement, and the form for the next one."""
    actor = request.actor
    require(actor.is_admin)
    org = own_org(actor)
    in_force = agreements.agreement_template_for(org)
    if request.method == "POST":
        form = AgreementTemplateForm(request.POST)
    else:
        initial = {"title": in_force.title, "body": in_force.body} if in_force else {}
        form = AgreementTemplateForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = agreements.agreement_template_publish(
                actor=actor, org=org, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(version)s is published.") % {"version": template.version}
            )
            return redirect("enrolment:agreement_templates")
    page = paginate(request, agreements.agreement_templates_of(org))
    context = {"org": org, "in_force": in_force, "page": page, "form": form}
    return render(request, "enrolment/agreement_templates.html", context)


# --- Insurance --------------------------------------------------------------------------------


@login_required
@GET_POST
def insurance_add(request: ActorRequest, child_pk: int) -> HttpResponse:
    child = _family_child(request, child_pk)
    form = InsuranceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            insurance.insurance_add(actor=request.actor, child=child, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The insurance cover is recorded."))
            return redirect(_next(request, request.path))
    page = paginate(request, insurance.insurances_of(child))
    context = {"child": child, "form": form, "page": page, "next": _next(request, "")}
    return render(request, "enrolment/insurance_add.html", context)


def _family_cover(request: HttpRequest, pk: int) -> Any:
    """A cover of the actor's family (invisible → 404; staff's view of it → 403)."""
    cover = selectors.insurance_for(actor_of(request), pk)
    require(can_change_child(actor_of(request), cover.child))
    return cover


def _insurance_page(cover: Any) -> str:
    return reverse("enrolment:insurance_add", kwargs={"child_pk": cover.child_id})


@login_required
@GET_POST
def insurance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a cover entered by mistake, until the class has accepted it."""
    cover = _family_cover(request, pk)
    if request.method == "POST":
        form = InsuranceForm(request.POST, request.FILES)
    else:
        fields = ("insurer", "policy_number", "starts_on", "ends_on")
        form = InsuranceForm(initial={name: getattr(cover, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        try:
            insurance.insurance_update(actor=actor_of(request), cover=cover, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The insurance cover is corrected."))
            return redirect(_next(request, _insurance_page(cover)))
    context = {"cover": cover, "child": cover.child, "form": form, "next": _next(request, "")}
    status = 400 if form.errors else 200
    return render(request, "enrolment/insurance_edit.html", context, status=status)


@login_required
@require_POST
def insurance_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    cover = _family_cover(request, pk)
    try:
        insurance.insurance_withdraw(actor=actor_of(request), cover=cover)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Policy %(number)s is withdrawn.") % {"number": cover.policy_number}
        )
    return redirect(_next(request, _insurance_page(cover)))


@login_required
@require_POST
def insurance_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The class manager has checked the policy against the photo: it is settled."""
    cover = selectors.insurance_for(actor_of(request), pk)
    insurance.insurance_accept(actor=actor_of(request), cover=cover)
    messages.success(request, _("Policy %(number)s is accepted.") % {"number": cover.policy_number})
    return redirect(_next(request, reverse("enrolment:roster_terms")))


@login_required
@require_GET
def insurance_photo(request: ActorRequest, pk: int) -> FileResponse:
    cover = selectors.insurance_for(request.actor, pk)
    return _file(cover.photo, name=f"policy-{cover.pk}{_extension(cover.photo)}")


def _extension(field: Any) -> str:
    name = str(field.name or "")
    return name[name.rfind(".") :] if "." in name else ""


@login_required
@GET_POST
def insurance_import(request: ActorRequest) -> HttpResponse:
    """Upload the insurer's roster: the file is checked here, the rows in a background job."""
    actor = request.actor
    require(actor.is_admin)
    if request.method == "POST":
        form = InsuranceImportForm(request.POST, request.FILES)
    else:
        form = InsuranceImportForm()
    if request.method == "POST" and form.is_valid():
        job = job_create(
            owner=request.user,
            kind=insurer_roster.JOB_KIND,
            title=_("Insurer roster: %(file)s") % {"file": form.cleaned_data["file"].name[:150]},
        )
        # The bytes go to storage, not into the task's arguments (which live in the database).
        stored = default_storage.save(
            f"imports/insurance/{uuid.uuid4().hex}.xlsx", ContentFile(form.content)
        )
        insurer_roster.insurance_import.enqueue(
            job_id=job.pk,
            path=stored,
            membership_id=actor.membership.pk if actor.membership else None,
            insurer=form.cleaned_data["insurer"].strip(),
            language=get_language() or "zh-hans",
        )
        return redirect("enrolment:insurance_import_result", job_pk=job.pk)
    return render(request, "enrolment/insurance_import.html", {"form": form})


@login_required
@require_GET
def insurance_import_template(request: ActorRequest) -> HttpResponse:
    require(request.actor.is_admin)
    response = HttpResponse(insurer_roster.insured_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="insured-children-template.xlsx"'
    return response


@login_required
@require_GET
def insurance_import_result(request: ActorRequest, job_pk: int) -> HttpResponse:
    job = selectors.insurance_import_job_for(request.user, job_pk)
    result = job.result if isinstance(job.result, dict) else {}
    errors = result.get("errors", [])
    context = {
        "job": job,
        "page": paginate(request, errors),
        "error_count": result.get("error_count", 0),
        "reported": len(errors),
    }
    return render(request, "enrolment/insurance_import_result.html", context)


# --- Pickup persons ---------------------------------------------------------------------------


@login_required
@require_GET
def pickup_list(request: ActorRequest, child_pk: int) -> HttpResponse:
    actor = request.actor
    child = selectors.paperwork_child_for(actor, child_pk)
    family = can_change_child(actor, child)
    people = pickups.pickups_of(child, active_only=not family)
    page = paginate(request, people)
    context = {"child": child, "page": page, "family": family, "next": _next(request, "")}
    return render(request, "enrolment/pickup_list.html", context)


def _pickup_form_page(request: ActorRequest, child: Any, pickup: Any = None) -> HttpResponse:
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    initial = (
        {"name": pickup.name, "relation": pickup.relation, "mobile": pickup.mobile}
        if pickup
        else None
    )
    form = PickupForm(*data, initial=initial, has_photo=bool(pickup and pickup.photo))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if pickup is None:
                fields.pop("remove_photo", None)
                pickups.pickup_add(actor=request.actor, child=child, **fields)
            else:
                pickups.pickup_update(actor=request.actor, pickup=pickup, **fields)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved. The class has been told of the change."))
            back = pickups.pickup_list_url(child)
            return redirect(_next(request, back))
    context = {"child": child, "pickup": pickup, "form": form, "next": _next(request, "")}
    return render(request, "enrolment/pickup_form.html", context)


@login_required
@GET_POST
def pickup_add(request: ActorRequest, child_pk: int) -> HttpResponse:
    return _pickup_form_page(request, _family_child(request, child_pk))


@login_required
@GET_POST
def pickup_edit(request: ActorRequest, pk: int) -> HttpResponse:
    pickup = selectors.pickup_for(request.actor, pk)
    require(can_change_child(request.actor, pickup.child))
    return _pickup_form_page(request, pickup.child, pickup)


@login_required
@require_POST
def pickup_deactivate(request: ActorRequest, pk: int) -> HttpResponse:
    pickup = selectors.pickup_for(request.actor, pk)
    require(can_change_child(request.actor, pickup.child))
    try:
        pickups.pickup_deactivate(actor=request.actor, pickup=pickup)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(
            request, _("%(name)s may no longer collect the child.") % {"name": pickup.name}
        )
    return redirect(_next(request, pickups.pickup_list_url(pickup.child)))


@login_required
@require_GET
def pickup_photo(request: ActorRequest, pk: int) -> FileResponse:
    pickup = selectors.pickup_for(request.actor, pk)
    return _file(pickup.photo, name=f"pickup-{pickup.pk}{_extension(pickup.photo)}")


# --- Health note and risk notice -------------------------------------------------------------


@login_required
@GET_POST
def health_edit(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = _family_enrolment(request, pk)
    note = health.health_note_of(enrolment)
    if request.method == "POST":
        form = HealthNoteForm(request.POST)
    else:
        form = HealthNoteForm(initial=health.health_note_initial(note))
    if request.method == "POST" and form.is_valid():
        try:
            health.health_note_save(actor=request.actor, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The health note is saved."))
            return redirect("enrolment:paperwork", pk=enrolment.pk)
    context = {"enrolment": enrolment, "note": note, "form": form}
    return render(request, "enrolment/health_edit.html", context)


@login_required
@require_GET
def health_view(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_health(request.actor, pk)
    try:
        note = health.health_note_read(actor=request.actor, enrolment=enrolment)
    except health.HealthNoteClosed as exc:
        context = {"enrolment": enrolment, "message": exc.message}
        return render(request, "enrolment/health_denied.html", context, status=403)
    return render(request, "enrolment/health_view.html", {"enrolment": enrolment, "note": note})


@login_required
@GET_POST
def risk_ack(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = _family_enrolment(request, pk)
    form = RiskAckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            paperwork.risk_notice_acknowledge(actor=request.actor, enrolment=enrolment)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the risk notice is acknowledged."))
            return redirect("enrolment:paperwork", pk=enrolment.pk)
    context = {
        "enrolment": enrolment,
        "notice": (enrolment.term.program.risk_notice or "").strip(),
        "acknowledged": paperwork.risk_notice_acknowledged(enrolment),
        "form": form,
    }
    return render(request, "enrolment/risk_ack.html", context)


urlpatterns: list[URLPattern] = [
    path("enrolments/<int:pk>/paperwork/", paperwork_page, name="paperwork"),
    path("enrolments/<int:pk>/agreement/", agreement_sign, name="agreement_sign"),
    path("enrolments/<int:pk>/health/", health_view, name="health_view"),
    path("enrolments/<int:pk>/health/edit/", health_edit, name="health_edit"),
    path("enrolments/<int:pk>/risk-notice/", risk_ack, name="risk_ack"),
    path("agreements/<int:pk>/pdf/", agreement_pdf, name="agreement_pdf"),
    path("agreement-templates/", agreement_templates, name="agreement_templates"),
    path("children/<int:child_pk>/insurance/", insurance_add, name="insurance_add"),
    path("insurance/<int:pk>/photo/", insurance_photo, name="insurance_photo"),
    path("insurance/<int:pk>/edit/", insurance_edit, name="insurance_edit"),
    path("insurance/<int:pk>/withdraw/", insurance_withdraw, name="insurance_withdraw"),
    path("insurance/<int:pk>/accept/", insurance_accept, name="insurance_accept"),
    path("insurance/import/", insurance_import, name="insurance_import"),
    path("insurance/import/template/", insurance_import_template, name="insurance_import_template"),
    path("insurance/import/<int:job_pk>/", insurance_import_result, name="insurance_import_result"),
    path("children/<int:child_pk>/pickups/", pickup_list, name="pickup_list"),
    path("children/<int:child_pk>/pickups/add/", pickup_add, name="pickup_add"),
    path("pickups/<int:pk>/edit/", pickup_edit, name="pickup_edit"),
    path("pickups/<int:pk>/deactivate/", pickup_deactivate, name="pickup_deactivate"),
    path("pickups/<int:pk>/photo/", pickup_photo, name="pickup_photo"),
]
