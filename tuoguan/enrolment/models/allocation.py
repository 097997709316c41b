"""Applications, seats, waitlist, offers, lottery draws and idempotency keys (报名)."""

from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class EnrolmentRules(AuditedModel, TimeStampedModel):
    """How a term admits children; the window and mode themselves live on the Term."""

    term = models.OneToOneField(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="rules"
    )
    require_verified_member = models.BooleanField(_("only verified union members"), default=True)
    allow_join_request = models.BooleanField(
        _("non-members may apply with a request to join the union"), default=False
    )
    employer_scope = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("employer must be within"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the host union's whole subtree."),
    )
    one_period_per_season = models.BooleanField(_("one period per child per season"), default=False)
    attendance_bar = models.BooleanField(
        _("attendance below 70 percent in the previous period bars the next"), default=False
    )
    # Ordered tiers: the first list is served first in a lottery. Each tier is a list
    # of programs.TargetGroup values; an applicant falls in the first tier they claim.
    priority_tiers = models.JSONField(_("priority tiers"), default=list, blank=True)
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept an offer"), default=48, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("enrolment rules")
        verbose_name_plural = _("enrolment rules")

    def __str__(self) -> str:
        return f"{self.term}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()


class SeatPool(models.Model):
    """The seat counter of a term (group null) or of one of its groups.

    The database refuses `taken > capacity` and `taken < 0`, so no race, retry or bug
    can oversell a seat or drive the counter negative.
    """

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="seat_pools")
    group = models.ForeignKey(
        "programs.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    capacity = models.PositiveIntegerField()
    taken = models.PositiveIntegerField(default=0)
    # The last waitlist rank handed out for the term (term pools only). Incrementing it is
    # also what locks the term's pool, so a rank costs one UPDATE rather than a MAX() over
    # the term's applications under a separate lock.
    waitlist_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")), name="seats_not_oversold"
            ),
            models.CheckConstraint(condition=Q(taken__gte=0), name="seats_not_negative"),
            models.UniqueConstraint(
                fields=["term"], condition=Q(group__isnull=True), name="one_pool_per_term"
            ),
            models.UniqueConstraint(
                fields=["term", "group"],
                condition=Q(group__isnull=False),
                name="one_pool_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.taken}/{self.capacity}"

    @property
    def free(self) -> int:
        return int(self.capacity - self.taken)


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, awaiting the draw")
    ADMITTED = "admitted", _("Admitted, paperwork missing")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    OFFERED = "offered", _("Seat offered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMOVED = "removed", _("Removed by the union")
    LAPSED = "lapsed", _("Offer expired")


# Statuses that hold (or wait for) a seat: at most one per child and term.
ACTIVE_STATUSES = (
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.ADMITTED,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
)


def overlapping_q(start: Any, end: Any, prefix: str = "term__") -> Q:
    """Terms sharing at least one day with [start, end]: touching on a day counts (also
    spliced into enrolment/fastpath.py's one-query read; `dates_overlap` is its Python twin)."""
    return Q(**{f"{prefix}start_date__lte": end, f"{prefix}end_date__gte": start})


def dates_overlap(one: Any, other: Any) -> bool:
    """`overlapping_q` on two loaded terms."""
    return bool(one.start_date <= other.end_date and one.end_date >= other.start_date)


# Statuses that occupy a seat in the pool.
SEATED_STATUSES = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED, EnrolmentStatus.OFFERED)


# A short family-chosen name shared by siblings applying together.
MAX_SIBLING_KEY = 40


class Enrolment(AuditedModel, TimeStampedModel):
    """A child's application for, and then seat in, a term (报名)."""

    term = models.ForeignKey(
        "programs.Term",
        verbose_name=_("term"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        # Served by the (term, status, waitlist_rank) index below: every index on this
        # table is rewritten for each of the 100,000 rows a large lottery updates.
        db_index=False,
    )
    group = models.ForeignKey(
        "programs.Group",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    child = models.ForeignKey(
        "accounts.Child",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    guardian = models.ForeignKey(
        "accounts.Worker",
        verbose_name=_("guardian"),
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,  # served by the (guardian, status) index below
    )
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices)
    # Position on the waitlist is the rank among waitlisted rows, so it closes up by itself.
    waitlist_rank = models.PositiveIntegerField(_("waitlist order"), null=True, blank=True)
    priority_groups = models.JSONField(_("priority groups declared"), default=list, blank=True)
    priority_tier = models.PositiveSmallIntegerField(_("priority tier"), default=0)
    priority_checked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("priority checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # Never searched by; an index would be written on every application.
        db_index=False,
    )
    priority_rejected = models.BooleanField(_("priority claim rejected"), default=False)
    # Siblings applying together share a key; `keep_together` asks the draw to keep them so.
    # Only read together with the term or the guardian, whose indexes find the rows.
    sibling_key = models.CharField(_("sibling set"), max_length=MAX_SIBLING_KEY, blank=True)
    keep_together = models.BooleanField(_("keep siblings together"), default=False)
    join_request = models.BooleanField(_("asked to join the union"), default=False)
    source = models.CharField(
        _("source"),
        max_length=10,
        default="online",
        choices=[("online", _("online")), ("paper", _("paper form")), ("manual", _("manual"))],
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # DESIGN §3: high-volume rows carry their province for later distribution.
    province = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # for later distribution, not for lookups (as above)
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "term"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_enrolment_per_child_and_term",
            ),
            # Ranks are handed out under the term's seat-pool lock; this is the last line.
            models.UniqueConstraint(
                fields=["term", "waitlist_rank"],
                condition=Q(waitlist_rank__isnull=False),
                name="unique_waitlist_rank_per_term",
            ),
        ]
        indexes = [
            models.Index(fields=["term", "status", "waitlist_rank"]),
            models.Index(fields=["guardian", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.term}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def holds_seat(self) -> bool:
        return self.status in SEATED_STATUSES


class Offer(AuditedModel, models.Model):
    """A freed seat held for the next child on the waitlist until it expires."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        CANCELLED = "cancelled", _("cancelled")

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="offers"
    )
    created_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="open"),
                name="one_open_offer_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} ({self.status})"

    def audit_org_path(self) -> str:
        return self.enrolment.audit_org_path()


class Draw(AuditedModel, models.Model):
    """A lottery run for a term: the published seed and inputs reproduce its outcome."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        SUPERSEDED = "superseded", _("superseded by a re-draw")

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="draws"
    )
    seed = models.CharField(_("published seed"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    run_by = models.ForeignKey(
        "accounts.User", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The published inputs (applicant ids, tiers, sibling sets, group capacities) and
    # outcome (ordered lists), so anyone can recompute the draw (verify_draw).
    inputs = models.JSONField(_("published inputs"), default=dict, blank=True)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    reason = models.CharField(_("reason for a re-draw"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(status__in=["running", "done"]),
                name="one_live_draw_per_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.seed}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()


class IdempotencyKey(models.Model):
    """A replayable answer to a POST carrying `Idempotency-Key`, kept at least 24 h."""

    # Found through the unique (user, key) index; a second index on user alone would only
    # cost a write per request.
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response: Any = models.JSONField(null=True, blank=True)
    # Not indexed: only the periodic purge reads it (a scan of a day's keys), while an index
    # would be written by every request that carries a key.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key"),
        ]

    def __str__(self) -> str:
        return self.key
