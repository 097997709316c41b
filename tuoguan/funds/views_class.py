"""Pages of a class's money (expenses, fees, ledger) and a family's own fees."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_page, paginate, refusal, serve_file, wants_fragment
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.permissions import require

from . import ledger as books
from . import selectors, services
from .forms import ExpenseForm, FeeRuleForm, PaymentForm, year_of
from .models import fee_fen_of
from .permissions import can_keep_class_books
from .services.fees import refund_rule_of
from .xlsx_reply import xlsx_reply


@login_required
@require_GET
def class_ledger(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    program = selectors.program_for(actor, pk)
    year = year_of(request)
    context = {
        "ledger": books.class_ledger(program, year),
        "program": program,
        "years": books.years_of(program=program),
        "xlsx_url": "funds:class_ledger_xlsx",
        "obj": program,
    }
    return render(request, "funds/ledger.html", context)


@login_required
@require_GET
def class_ledger_download(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    program = selectors.program_for(actor, pk)
    year = year_of(request)
    content = books.ledger_xlsx(books.class_ledger(program, year))
    return xlsx_reply(content, f"class-ledger-{program.pk}-{year}.xlsx")


@login_required
@require_GET
def expense_list(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    program = selectors.program_for(actor, pk)
    expenses = selectors.expenses_visible_to(actor).filter(program=program)
    context = {
        "program": program,
        "page": paginate(request, expenses),
        "can_record": can_keep_class_books(actor, program),
    }
    template = "funds/_expenses.html" if wants_fragment(request) else "funds/expense_list.html"
    return render(request, template, context)


@login_required
@GET_POST
def expense_create(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    program = selectors.program_for(actor, pk)
    require(can_keep_class_books(actor, program))
    form = ExpenseForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        lambda: services.expense_record(actor=actor, program=program, **form.cleaned_data),
        done=_("Expense recorded."),
        then="funds:expense_list",
        pk=program.pk,
        template="funds/form.html",
        context={"heading": _("Record an expense"), "program": program, "multipart": True},
    )


@login_required
@require_GET
def expense_receipt(request: ActorRequest, pk: int) -> FileResponse:
    expense = selectors.expense_for(staff_actor(request), pk)
    return serve_file(expense.receipt, expense.receipt_type)


@login_required
@GET_POST
def fee_list(request: ActorRequest, pk: int) -> HttpResponse:
    """The class's fees: due, paid, outstanding per child; its refund rule."""
    actor = staff_actor(request)
    program = selectors.program_for(actor, pk)
    can_keep = can_keep_class_books(actor, program)
    form = FeeRuleForm(request.POST or None, initial={"refund": refund_rule_of(program)})
    if request.method == "POST":
        require(can_keep)
        if form.is_valid():
            services.fee_rule_set(actor=actor, program=program, refund=form.cleaned_data["refund"])
            messages.success(request, _("Refund rule saved."))
            return redirect("funds:fee_list", pk=program.pk)
    rows = selectors.fee_rows(program)
    page = paginate(request, rows)
    context = {
        "program": program,
        "page": page,
        "fee_fen": fee_fen_of(program),
        "outstanding_fen": sum(r.outstanding_fen for r in rows),
        "owing": sum(1 for r in rows if r.outstanding_fen > 0),
        "can_keep": can_keep,
        "form": form,
    }
    return render(request, "funds/fee_list.html", context)


@login_required
@require_POST
def fees_remind(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    program = selectors.program_for(actor, pk)
    require(can_keep_class_books(actor, program))
    sent = services.fees_remind(actor=actor, program=program, rows=selectors.fee_rows(program))
    messages.success(request, _("%(n)s families reminded.") % {"n": sent})
    return redirect("funds:fee_list", pk=program.pk)


@login_required
@GET_POST
def payment_create(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    enrolment = selectors.enrolment_for(actor, pk)
    program = enrolment.term.program
    require(can_keep_class_books(actor, program))
    form = PaymentForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.payment_record(actor=actor, enrolment=enrolment, **form.cleaned_data),
        done=_("Payment recorded."),
        then="funds:fee_list",
        pk=program.pk,
        template="funds/form.html",
        context={
            "heading": _("Record a payment"),
            "program": program,
            "subtitle": f"{enrolment.child.name} · {enrolment.term.name}",
        },
    )


@login_required
@require_POST
def refund_create(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    enrolment = selectors.enrolment_for(actor, pk)
    program = enrolment.term.program
    require(can_keep_class_books(actor, program))
    try:
        refund = services.refund_record(actor=actor, enrolment=enrolment)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(
            request,
            _("Refund of %(amount)s yuan recorded (%(unused)s of %(total)s care days unused).")
            % {
                "amount": books.yuan(refund.amount_fen),
                "unused": refund.days_unused,
                "total": refund.days_total,
            },
        )
    return redirect("funds:fee_list", pk=program.pk)


@login_required
@require_GET
def my_fees(request: ActorRequest) -> HttpResponse:
    """A family's own fees and payments."""
    actor = request.actor
    context = {
        "rows": selectors.family_fee_rows(actor),
        "page": paginate(request, selectors.family_payments(actor)),
    }
    return render(request, "funds/my_fees.html", context)


urlpatterns = [
    path("classes/<int:pk>/ledger/", class_ledger, name="class_ledger"),
    path("classes/<int:pk>/ledger.xlsx", class_ledger_download, name="class_ledger_xlsx"),
    path("classes/<int:pk>/expenses/", expense_list, name="expense_list"),
    path("classes/<int:pk>/expenses/new/", expense_create, name="expense_create"),
    path("expenses/<int:pk>/receipt/", expense_receipt, name="expense_receipt"),
    path("classes/<int:pk>/fees/", fee_list, name="fee_list"),
    path("classes/<int:pk>/fees/remind/", fees_remind, name="fees_remind"),
    path("enrolments/<int:pk>/payments/new/", payment_create, name="payment_create"),
    path("enrolments/<int:pk>/refund/", refund_create, name="refund_create"),
    path("my-fees/", my_fees, name="my_fees"),
]
