"""Pages of a union's money: budgets, allocations, grants and its ledger."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_errors, form_page, paginate, refusal, serve_file
from tuoguan.orgs import selectors as org_selectors
from tuoguan.orgs.kit import ActorRequest, own_org, staff_actor
from tuoguan.orgs.permissions import require
from tuoguan.programs import designations

from . import ledger as books
from . import selectors, services
from .forms import (
    AllocationForm,
    BudgetForm,
    DesignationGrantsForm,
    DisburseForm,
    GrantForm,
    year_of,
)
from .ledger import ledger_xlsx, years_of
from .models import GrantStatus
from .permissions import (
    MONEY_READERS,
    can_approve_grant,
    can_manage_budget,
    can_read_union_money,
)
from .services.grants import not_available_message
from .xlsx_reply import xlsx_reply


@login_required
@require_GET
def home(request: ActorRequest) -> HttpResponse:
    """Where each role starts: a union's budgets, or the classes one keeps the books of."""
    actor = staff_actor(request)
    org = own_org(actor)
    if actor.has_role(MONEY_READERS):
        return redirect("funds:budget_list", pk=org.pk)
    programs = (
        selectors.grantable_programs(actor, org).select_related("host").order_by("name", "pk")
    )
    return render(request, "funds/home.html", {"page": paginate(request, programs), "org": org})


@login_required
@require_GET
def budget_list(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    org = org_selectors.org_for(actor, pk)
    require(can_read_union_money(actor, org))
    year = year_of(request)
    context = {
        "org": org,
        "year": year,
        "years": years_of(org=org),
        "budget_year": selectors.budget_year_of(org, year),
        "budgets": list(selectors.budgets_visible_to(actor).filter(org=org, year=year)),
        "allocations": list(selectors.allocations_visible_to(actor).filter(giver=org, year=year)),
        "can_manage": can_manage_budget(actor, org),
        "designations_available": designations.is_available(),
    }
    return render(request, "funds/budget_list.html", context)


@login_required
@GET_POST
def budget_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    org = own_org(actor)
    require(can_manage_budget(actor, org))
    form = BudgetForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.budget_add(actor=actor, org=org, **form.cleaned_data),
        done=_("Budget added."),
        then="funds:budget_list",
        pk=org.pk,
        template="funds/form.html",
        context={"heading": _("Add a budget"), "org": org},
    )


@login_required
@GET_POST
def allocation_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    org = own_org(actor)
    require(can_manage_budget(actor, org))
    form = AllocationForm(request.POST or None, unions=selectors.lower_unions(actor, org))
    return form_page(
        request,
        form,
        lambda: services.allocation_create(actor=actor, giver=org, **form.cleaned_data),
        done=_("Allocated: it is now budget of the union below."),
        then="funds:budget_list",
        pk=org.pk,
        template="funds/form.html",
        context={"heading": _("Allocate to a lower union"), "org": org},
    )


@login_required
@require_GET
def grant_list(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    grants = selectors.grants_visible_to(actor).order_by("-year", "-pk")
    status = request.GET.get("status", "")
    if status in GrantStatus.values:
        grants = grants.filter(status=status)
    org = own_org(actor)
    context = {
        "page": paginate(request, grants),
        "status": status,
        "statuses": GrantStatus.choices,
        "can_manage": can_manage_budget(actor, org),
    }
    return render(request, "funds/grant_list.html", context)


@login_required
@GET_POST
def grant_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    org = own_org(actor)
    require(can_manage_budget(actor, org))
    programs = selectors.grantable_programs(actor, org).order_by("name", "pk")
    form = GrantForm(request.POST or None, programs=programs)
    return form_page(
        request,
        form,
        lambda: services.grant_create(actor=actor, org=org, **form.cleaned_data),
        done=_("Grant proposed; approve it to commit it against the budget."),
        then="funds:grant_detail",
        template="funds/form.html",
        context={"heading": _("New grant"), "org": org},
    )


@login_required
@require_GET
def grant_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    grant = selectors.grant_for(actor, pk)
    context = {
        "grant": grant,
        "can_approve": can_approve_grant(actor, grant),
        "budget_year": selectors.budget_year_of(grant.org, grant.year),
    }
    return render(request, "funds/grant_detail.html", context)


def _decide(request: ActorRequest, pk: int, approve: bool) -> HttpResponse:
    actor = request.actor
    grant = selectors.grant_for(actor, pk)
    require(can_approve_grant(actor, grant))
    try:
        if approve:
            services.grant_approve(actor=actor, grant=grant)
        else:
            services.grant_reject(actor=actor, grant=grant)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Grant approved.") if approve else _("Grant rejected."))
    return redirect("funds:grant_detail", pk=grant.pk)


@login_required
@require_POST
def grant_approve(request: ActorRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def grant_reject(request: ActorRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


@login_required
@GET_POST
def grant_disburse(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    grant = selectors.grant_for(actor, pk)
    require(can_approve_grant(actor, grant))
    form = DisburseForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        lambda: services.grant_disburse(actor=actor, grant=grant, **form.cleaned_data),
        done=_("Disbursement recorded."),
        then="funds:grant_detail",
        template="funds/form.html",
        context={"heading": _("Record the disbursement"), "grant": grant, "multipart": True},
    )


@login_required
@require_GET
def grant_proof(request: ActorRequest, pk: int) -> FileResponse:
    grant = selectors.grant_for(request.actor, pk)
    require(bool(grant.proof))
    return serve_file(grant.proof, grant.proof_type)


@login_required
@GET_POST
def designation_grants(request: ActorRequest) -> HttpResponse:
    """The grants of a campaign's designations, in one step."""
    actor = staff_actor(request)
    org = own_org(actor)
    require(can_manage_budget(actor, org))
    batches = designations.batches_in(org.path)
    form = DesignationGrantsForm(request.POST or None, batches=batches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.designation_grants_create(
                actor=actor, org=org, key=data["campaign"], year=data["year"],
                amount_fen=data["amount_fen"],
            )  # fmt: skip
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("%(n)s grants made and committed against the budget.") % {"n": len(made)}
            )
            return redirect("funds:budget_list", pk=org.pk)
    context = {
        "form": form,
        "heading": _("Grants of a campaign's designations"),
        "org": org,
        "unavailable": "" if designations.is_available() else not_available_message(),
        "budget_year": selectors.budget_year_of(org, year_of(request)),
    }
    return render(request, "funds/form.html", context)


@login_required
@require_GET
def union_ledger(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    org = org_selectors.org_for(actor, pk)
    require(can_read_union_money(actor, org))
    year = year_of(request)
    context = {
        "ledger": books.union_ledger(org, year),
        "org": org,
        "years": years_of(org=org),
        "xlsx_url": "funds:union_ledger_xlsx",
        "obj": org,
    }
    return render(request, "funds/ledger.html", context)


@login_required
@require_GET
def union_ledger_download(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    org = org_selectors.org_for(actor, pk)
    require(can_read_union_money(actor, org))
    year = year_of(request)
    return xlsx_reply(ledger_xlsx(books.union_ledger(org, year)), f"ledger-{org.pk}-{year}.xlsx")


urlpatterns = [
    path("", home, name="home"),
    path("unions/<int:pk>/budgets/", budget_list, name="budget_list"),
    path("unions/<int:pk>/ledger/", union_ledger, name="union_ledger"),
    path("unions/<int:pk>/ledger.xlsx", union_ledger_download, name="union_ledger_xlsx"),
    path("budgets/new/", budget_create, name="budget_create"),
    path("allocations/new/", allocation_create, name="allocation_create"),
    path("grants/", grant_list, name="grant_list"),
    path("grants/new/", grant_create, name="grant_create"),
    path("grants/designations/", designation_grants, name="designation_grants"),
    path("grants/<int:pk>/", grant_detail, name="grant_detail"),
    path("grants/<int:pk>/approve/", grant_approve, name="grant_approve"),
    path("grants/<int:pk>/reject/", grant_reject, name="grant_reject"),
    path("grants/<int:pk>/disburse/", grant_disburse, name="grant_disburse"),
    path("grants/<int:pk>/proof/", grant_proof, name="grant_proof"),
]
