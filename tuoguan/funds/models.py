"""Funds of union childcare (专项资金): budgets, allocations, grants, fees and expenses.

Money is integer fen throughout. A union's budgets of a year add up in its `BudgetYear`
row, and every commitment against them (a grant approved, an allocation to a lower union)
raises that row's `committed_fen` by one conditional UPDATE, with a CHECK constraint as the
last line: a union never commits more than its budget, whatever runs at the same time.
"""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel

from .money import MAX_FEN, yuan

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
FEN_VALIDATORS = [MinValueValidator(1), MaxValueValidator(MAX_FEN)]


class BudgetSource(models.TextChoices):
    UNION_FUNDS = "union_funds", _("Union funds")
    GOVERNMENT = "government", _("Government support")
    ENTERPRISE = "enterprise", _("Enterprise welfare funds")
    DONATIONS = "donations", _("Donations")
    ALLOCATION = "allocation", _("Allocation from a higher union")


class BudgetYear(models.Model):
    """A union's childcare budget of one year: what it holds and what it has committed."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    total_fen = models.BigIntegerField(_("budget (fen)"), default=0)
    committed_fen = models.BigIntegerField(_("committed (fen)"), default=0)

    class Meta:
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        ordering = ["-year", "org_id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="funds_one_budget_year"),
            # The last line behind the conditional UPDATE of services.commit.
            models.CheckConstraint(
                condition=Q(committed_fen__lte=F("total_fen")) & Q(committed_fen__gte=0),
                name="funds_never_overcommitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.year}"

    @property
    def remaining_fen(self) -> int:
        return int(self.total_fen - self.committed_fen)

    @property
    def remaining_yuan(self) -> str:
        return yuan(self.remaining_fen)


class Budget(AuditedModel, TimeStampedModel):
    """Money a union sets aside for childcare in a year, from one source (专项资金)."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("source"), max_length=20, choices=BudgetSource.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=FEN_VALIDATORS)
    note = models.CharField(_("note"), max_length=200, blank=True)
    allocation = models.OneToOneField(
        "funds.Allocation",
        verbose_name=_("allocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_budget",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.year} · {self.get_source_display()}"

    def audit_org_path(self) -> str:
        return str(self.org.path)

    def source_text(self) -> str:
        if self.source == BudgetSource.ALLOCATION and self.allocation is not None:
            return str(_("Allocation from %(union)s") % {"union": self.allocation.giver})
        return str(self.get_source_display())


class Allocation(AuditedModel, TimeStampedModel):
    """Money a union passes to a lower union (下拨): committed against the giver's budget."""

    giver = models.ForeignKey(
        "orgs.Org", verbose_name=_("giving union"), on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.ForeignKey(
        "orgs.Org", verbose_name=_("receiving union"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=FEN_VALIDATORS)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.receiver} · {yuan(self.amount_fen)}"

    def audit_org_path(self) -> str:
        return str(self.giver.path)


class GrantKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    STAFF = "staff", _("Staff")
    INSURANCE = "insurance", _("Insurance")
    EQUIPMENT = "equipment", _("Equipment (e.g. cameras)")
    LIVING_COSTS = "living_costs", _("Living costs")
    DESIGNATION = "designation", _("Demonstration class grant")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DISBURSED = "disbursed", _("Disbursed")
    REJECTED = "rejected", _("Rejected")


# Statuses whose amount is committed against the granting union's budget.
COMMITTED_STATUSES = (GrantStatus.APPROVED, GrantStatus.DISBURSED)


class Grant(AuditedModel, TimeStampedModel):
    """A subsidy a union grants a class (补助), committed against its budget on approval."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("granting union"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("purpose"), max_length=20, choices=GrantKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=FEN_VALIDATORS)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    # The awards designation it pays for (an id: funds never imports awards).
    designation_id = models.PositiveBigIntegerField(_("designation"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    proof = models.FileField(_("proof"), upload_to="funds/proofs/", blank=True)
    proof_type = models.CharField(_("proof file type"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_grant_positive"),
            models.UniqueConstraint(
                fields=["designation_id"],
                condition=Q(designation_id__isnull=False) & ~Q(status="rejected"),
                name="funds_one_grant_per_designation",
            ),
        ]
        indexes = [models.Index(fields=["org", "year"]), models.Index(fields=["program", "year"])]

    def __str__(self) -> str:
        return f"{self.program} · {self.get_kind_display()} · {yuan(self.amount_fen)}"

    def audit_org_path(self) -> str:
        return str(self.org.path)

    @property
    def is_committed(self) -> bool:
        return self.status in COMMITTED_STATUSES


class RefundRule(models.TextChoices):
    PRO_RATA = "pro_rata", _("Pro rata of the care days not yet used")
    NONE = "none", _("No refund")


class FeeRule(AuditedModel, TimeStampedModel):
    """How a class that charges refunds a family that withdraws (退费规则)."""

    program = models.OneToOneField(
        "programs.Program", verbose_name=_("class"), on_delete=models.CASCADE, related_name="+"
    )
    refund = models.CharField(
        _("refund on withdrawal"),
        max_length=10,
        choices=RefundRule.choices,
        default=RefundRule.PRO_RATA,
    )

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")

    def __str__(self) -> str:
        return f"{self.program} · {self.get_refund_display()}"

    def audit_org_path(self) -> str:
        return str(self.program.host.path)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank transfer")
    PAYROLL = "payroll", _("Deducted from wages")


class Payment(AuditedModel, TimeStampedModel):
    """A family's payment of a class's fee or living costs, as the class recorded it."""

    # The class stays when a family's data is deleted (PIPL): the books keep the money.
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funds_payments",
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=FEN_VALIDATORS)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} · {yuan(self.amount_fen)}"

    def audit_org_path(self) -> str:
        return str(self.program.host.path)


class Refund(AuditedModel, TimeStampedModel):
    """What a withdrawn family gets back, computed by the class's rule (never typed)."""

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.OneToOneField(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=[MinValueValidator(0)])
    rule = models.CharField(_("rule"), max_length=10, choices=RefundRule.choices)
    days_total = models.PositiveIntegerField(_("care days of the term"))
    days_unused = models.PositiveIntegerField(_("care days not used"))
    refunded_on = models.DateField(_("refunded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-refunded_on", "-pk"]

    def __str__(self) -> str:
        return yuan(self.amount_fen)

    def audit_org_path(self) -> str:
        return str(self.program.host.path)


class ExpenseCategory(models.TextChoices):
    MEALS = "meals", _("Meals")
    MATERIALS = "materials", _("Materials and books")
    STAFF = "staff", _("Staff and services")
    VENUE = "venue", _("Venue")
    INSURANCE = "insurance", _("Insurance")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")


class Expense(AuditedModel, TimeStampedModel):
    """Money a class spent, with its receipt (photo or PDF)."""

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    spent_on = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=12, choices=ExpenseCategory.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=FEN_VALIDATORS)
    description = models.CharField(_("description"), max_length=200)
    receipt = models.FileField(_("receipt"), upload_to="funds/receipts/")
    receipt_type = models.CharField(_("receipt file type"), max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_expense_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} · {yuan(self.amount_fen)}"

    def audit_org_path(self) -> str:
        return str(self.program.host.path)


def fee_fen_of(program: Any) -> int:
    """What one child's place costs the family, in fen (0 for a free class)."""
    if program.fee_policy == "free" or program.fee_amount is None:
        return 0
    return int(program.fee_amount * 100)
