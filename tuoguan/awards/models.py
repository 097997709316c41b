"""Selections of demonstration classes (示范点评选): campaigns, their conditions and rubric,
and the entries classes send to them.

A campaign is organised by a union of the level it names (city, province, national) for one
year. Entries travel upward: a class's host applies, each union above recommends it to the
next (自下而上、逐级把关) within its own quota, until it reaches the organising union, whose
reviewers score it.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel
from tuoguan.orgs.models import Level

# The levels a campaign is run at; its organising union is of the same level.
CAMPAIGN_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY)


class CampaignLevel(models.IntegerChoices):
    NATIONAL = Level.NATIONAL, _("National")
    PROVINCE = Level.PROVINCE, _("Provincial")
    CITY = Level.CITY, _("City")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for entries")
    REVIEW = "review", _("Under review")
    NOTICE = "notice", _("Public notice")
    CLOSED = "closed", _("Designations published")


class TieBreak(models.TextChoices):
    ATTENDANCE = "attendance", _("Higher attendance rate, then the earlier entry")
    CHILDREN = "children", _("More children, then the earlier entry")
    EARLIER = "earlier", _("The earlier entry")


class Campaign(AuditedModel, TimeStampedModel):
    """A selection of demonstration classes at one level for one year (示范点评选)."""

    organiser = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("organising union"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=CampaignLevel.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=160)
    quota = models.PositiveSmallIntegerField(
        _("designations"), validators=[MinValueValidator(1)], help_text=_("At most this many.")
    )
    recommend_quota = models.PositiveSmallIntegerField(
        _("recommendations per union"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Each lower union passes up at most this many entries."),
    )
    grant_fen = models.PositiveBigIntegerField(
        _("grant per designation (fen)"), default=0, help_text=_("In fen: 30,000 yuan is 3000000.")
    )
    applications_open = models.DateField(_("entries open"))
    applications_close = models.DateField(_("entries close"))
    review_close = models.DateField(_("review closes"))
    notice_days = models.PositiveSmallIntegerField(
        _("days of public notice"), default=7, validators=[MinValueValidator(5)]
    )
    requires_lower_designation = models.BooleanField(
        _("entries must hold the level below's designation"), default=False
    )
    tie_break = models.CharField(
        _("tie-break rule"), max_length=20, choices=TieBreak.choices, default=TieBreak.ATTENDANCE
    )
    questions = models.JSONField(_("questions of the entry form"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    notice_starts = models.DateField(_("notice starts"), null=True, blank=True)
    notice_ends = models.DateField(_("notice ends"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("selection campaign")
        verbose_name_plural = _("selection campaigns")
        ordering = ["-year", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "year"], name="awards_one_campaign_per_union_year"
            ),
            models.CheckConstraint(
                condition=models.Q(applications_close__gte=models.F("applications_open"))
                & models.Q(review_close__gte=models.F("applications_close")),
                name="awards_campaign_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_org_path(self) -> str:
        return str(self.organiser.path)

    @property
    def grant_yuan(self) -> Decimal:
        return Decimal(self.grant_fen) / 100

    @property
    def is_open(self) -> bool:
        return bool(self.status == CampaignStatus.OPEN)

    def rubric_total(self) -> int:
        return sum(item.points for item in self.rubric.all())


class ConditionKind(models.TextChoices):
    """The conditions of DOMAIN.md §2, each read from a fact of the term entered."""

    CHILDREN = "children", _("Children admitted")
    CARE_DAYS = "care_days", _("Care days")
    ATTENDANCE = "attendance", _("Attendance rate (%)")
    PAPERWORK = "paperwork", _("Children with a signed agreement and insurance (%)")
    INCIDENTS = "incidents", _("Serious incidents")
    RECTIFICATIONS = "rectifications", _("Unresolved rectification orders")


# kind → (default threshold, default veto, the figure must be at least (True) or at most).
CONDITION_DEFAULTS: dict[str, tuple[Decimal, bool, bool]] = {
    ConditionKind.CHILDREN: (Decimal(20), False, True),
    ConditionKind.CARE_DAYS: (Decimal(20), False, True),
    ConditionKind.ATTENDANCE: (Decimal(70), False, True),
    # The seed's veto (一票否决): a child without agreement or insurance bars the class.
    ConditionKind.PAPERWORK: (Decimal(100), True, True),
    ConditionKind.INCIDENTS: (Decimal(0), True, False),
    ConditionKind.RECTIFICATIONS: (Decimal(0), False, False),
}


class Condition(AuditedModel, TimeStampedModel):
    """A condition an entry must meet (申报条件); a veto one removes it whatever its score."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="conditions"
    )
    kind = models.CharField(_("condition"), max_length=20, choices=ConditionKind.choices)
    threshold = models.DecimalField(
        _("threshold"), max_digits=7, decimal_places=1, validators=[MinValueValidator(0)]
    )
    is_veto = models.BooleanField(_("veto (一票否决)"), default=False)

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="awards_condition_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.bound_text()}"

    def audit_org_path(self) -> str:
        return self.campaign.audit_org_path()

    @property
    def at_least(self) -> bool:
        return CONDITION_DEFAULTS[self.kind][2]

    def bound_text(self) -> str:
        number = f"{self.threshold.normalize():f}"
        return f"≥ {number}" if self.at_least else f"≤ {number}"


class RubricItem(AuditedModel, TimeStampedModel):
    """One item reviewers score (评分细则), worth up to `points`."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="rubric"
    )
    name = models.CharField(_("item"), max_length=80)
    points = models.PositiveSmallIntegerField(
        _("points"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["campaign", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"

    def audit_org_path(self) -> str:
        return self.campaign.audit_org_path()


# The rubric a new campaign starts with (100 points); the organiser edits it.
DEFAULT_RUBRIC: tuple[tuple[Any, int], ...] = (
    (_("Safety and management"), 30),
    (_("Quality of care and activities"), 30),
    (_("Satisfaction of families"), 20),
    (_("Distinctive features"), 20),
)


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting recommendation")
    IN_REVIEW = "in_review", _("Under review")
    ON_NOTICE = "on_notice", _("On public notice")
    DESIGNATED = "designated", _("Designated")
    REMOVED = "removed", _("Removed after an objection")
    DECLINED = "declined", _("Not recommended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Nomination(AuditedModel, TimeStampedModel):
    """A class's entry to a campaign (申报), for one of its terms.

    `holder` is the union that decides next: the host's parent when entered, each union
    above in turn as it is recommended, the organising union once it is under review.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="entries"
    )
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        "orgs.Org", verbose_name=_("with union"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.PENDING,
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    video_url = models.URLField(_("video link"), blank=True, max_length=300)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    # Frozen when the notice is published: the list the public sees does not move.
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    average = models.DecimalField(
        _("average score"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["campaign", "applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "program"], name="awards_one_entry_per_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.campaign}"

    def audit_org_path(self) -> str:
        return str(self.program.host.path)


class Recommendation(AuditedModel, TimeStampedModel):
    """A union's decision on an entry it holds: pass it up (推荐) or not, with a note."""

    entry = models.ForeignKey(
        Nomination, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="steps"
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT)
    recommended = models.BooleanField(_("recommended"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["entry", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "org"], name="awards_one_decision_per_union"),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.entry}"

    def audit_org_path(self) -> str:
        return self.entry.audit_org_path()


class NominationFile(AuditedModel, TimeStampedModel):
    """A photo or document sent with an entry (申报材料)."""

    entry = models.ForeignKey(
        Nomination, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to="awards/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=60)
    title = models.CharField(_("title"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        # The stored path is no name for a reader (the log shows it): the title, or the kind.
        return self.title or str(_("material"))

    def audit_org_path(self) -> str:
        return self.entry.audit_org_path()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Reviewer(AuditedModel, TimeStampedModel):
    """A person the organiser asks to score a campaign's entries (评审专家), through one of
    their memberships: that membership's union decides their conflicts of interest."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reviewers"
    )
    membership = models.ForeignKey(
        "orgs.Membership", verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "membership"], name="awards_reviewer_once"),
        ]

    def __str__(self) -> str:
        return str(self.membership)

    def audit_org_path(self) -> str:
        return self.campaign.audit_org_path()

    def conflicts_with(self, entry: Any) -> bool:
        """True when the reviewer's union is on the class's own line below the organiser:
        the host itself, a union above the host (its county, city…), or a union inside the
        host's subtree. A reviewer at the organising union itself has no such tie."""
        org = self.membership.org
        if org.pk == self.campaign.organiser_id:
            return False
        host = entry.program.host
        return bool(host.path.startswith(org.path) or org.path.startswith(host.path))


class Scorecard(AuditedModel, TimeStampedModel):
    """One reviewer's submitted scores of one entry; final once sent (independent scoring)."""

    entry = models.ForeignKey(
        Nomination, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="scorecards"
    )
    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="scorecards"
    )
    total = models.PositiveSmallIntegerField(_("total"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["entry", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "reviewer"], name="awards_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.entry}: {self.total}"

    def audit_org_path(self) -> str:
        return self.entry.audit_org_path()


class Score(models.Model):
    """The points a scorecard gives one rubric item (logged with its scorecard)."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(RubricItem, verbose_name=_("item"), on_delete=models.PROTECT)
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["scorecard", "item__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "item"], name="awards_item_scored_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}: {self.points}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Being investigated")
    UPHELD = "upheld", _("Upheld: the entry is removed")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(AuditedModel, TimeStampedModel):
    """An objection lodged by anyone against an entry on public notice (公示异议)."""

    entry = models.ForeignKey(
        Nomination, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="objections"
    )
    name = models.CharField(_("your name"), max_length=60)
    phone = models.CharField(_("telephone"), max_length=20)
    text = models.TextField(_("objection"), max_length=2000)
    # A keyed hash of the sender's address, to limit how often one address objects.
    sender = models.CharField(_("sender (keyed hash)"), max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    audit_secret_fields = frozenset({"phone", "sender"})

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        return f"{self.entry} · {self.get_status_display()}"

    def audit_org_path(self) -> str:
        return self.entry.campaign.audit_org_path()


class Designation(AuditedModel, TimeStampedModel):
    """The title of demonstration class (示范点) a program holds for a level and year."""

    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=CampaignLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="designations",
        null=True,
        blank=True,
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("designated by"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["-year", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "level", "year"], name="awards_designated_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.year} · {self.get_level_display()}"

    def audit_org_path(self) -> str:
        return str(self.org.path)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
