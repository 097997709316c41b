"""The paperwork that gates a seat: agreement, insurance, pickups, health notes, risk notice.

An admitted child becomes confirmed only when all of it is complete (services.paperwork).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class AgreementTemplate(AuditedModel, TimeStampedModel):
    """A union's care agreement text (托管协议), versioned; lower unions inherit it.

    The body uses `{child}`, `{guardian}`, `{program}`, `{term}`, `{start}`, `{end}`,
    `{hours}`, `{host}`, `{venue}` and `{fee}` placeholders, filled from the term.
    """

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    effective_from = models.DateField(_("effective from"))
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        ordering = ["org", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["org", "version"], name="unique_agreement_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def audit_org_path(self) -> str:
        return self.org.path


class Agreement(AuditedModel, models.Model):
    """A guardian's signature on one version of the agreement for one enrolment."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    template = models.ForeignKey(
        AgreementTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+"
    )
    # The filled-in text as signed: later edits of the template never change it.
    text = models.TextField(_("signed text"))
    signer = models.ForeignKey(
        "accounts.User", verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("name typed by the signer"), max_length=60)
    consent = models.BooleanField(_("agreed"), default=False)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("signed agreement")
        verbose_name_plural = _("signed agreements")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "template"], name="one_signature_per_version"
            ),
            models.CheckConstraint(condition=Q(consent=True), name="agreement_needs_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · v{self.template.version}"

    def audit_org_path(self) -> str:
        return self.enrolment.audit_org_path()


class Insurance(AuditedModel, TimeStampedModel):
    """A child's personal accident insurance cover (意外伤害保险)."""

    class Source(models.TextChoices):
        PARENT = "parent", _("entered by the parent")
        UNION = "union", _("bought by the union (imported roster)")

    child = models.ForeignKey(
        "accounts.Child",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="insurances",
    )
    insurer = models.CharField(_("insurer"), max_length=120)
    policy_number = models.CharField(_("policy number"), max_length=60)
    starts_on = models.DateField(_("cover starts"))
    ends_on = models.DateField(_("cover ends"))
    photo = models.ImageField(_("photo of the policy"), upload_to="insurance/%Y/", blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.PARENT
    )
    bought_by = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("bought by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Checked by the class against the policy: from then on the parent can no longer change it.
    accepted_at = models.DateTimeField(_("accepted by the class at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("insurance cover")
        verbose_name_plural = _("insurance covers")
        ordering = ["-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="insurance_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"

    def audit_org_path(self) -> str:
        return self.child.audit_org_path()

    def covers(self, start: object, end: object) -> bool:
        return bool(self.starts_on <= start and self.ends_on >= end)  # type: ignore[operator]

    @property
    def is_changeable(self) -> bool:
        """The parent may correct or withdraw a cover they entered until the class accepts it."""
        return self.source == self.Source.PARENT and self.accepted_at is None


class Pickup(AuditedModel, TimeStampedModel):
    """A person the guardian authorises to collect the child (接送人)."""

    child = models.ForeignKey(
        "accounts.Child", verbose_name=_("child"), on_delete=models.CASCADE, related_name="pickups"
    )
    name = models.CharField(_("name"), max_length=60)
    relation = models.CharField(_("relation to the child"), max_length=30)
    mobile = models.CharField(_("mobile number"), max_length=11)
    photo = models.ImageField(_("photo"), upload_to="pickups/%Y/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    audit_secret_fields = frozenset({"mobile"})

    class Meta:
        verbose_name = _("pickup person")
        verbose_name_plural = _("pickup persons")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.child.audit_org_path()


class HealthNote(AuditedModel, TimeStampedModel):
    """Allergies, conditions and medication, declared by the guardian for one enrolment.

    Visible only to the caregivers of the class, and only during the term.
    """

    enrolment = models.OneToOneField(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="health_note",
    )
    allergies = models.TextField(_("allergies"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    medication = models.TextField(_("medication"), blank=True)
    declared = models.BooleanField(_("declared true and complete by the guardian"), default=False)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)

    audit_secret_fields = frozenset({"allergies", "conditions", "medication"})

    class Meta:
        verbose_name = _("health note")
        verbose_name_plural = _("health notes")

    def __str__(self) -> str:
        return f"{self.enrolment}"

    def audit_org_path(self) -> str:
        return self.enrolment.audit_org_path()


class RiskNoticeAck(AuditedModel, models.Model):
    """A guardian's acknowledgement of the class's risk notice (风险提示)."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="risk_acks",
    )
    # The notice may change; the digest says which text was acknowledged.
    notice_digest = models.CharField(max_length=64)
    acknowledged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk notice acknowledgement")
        verbose_name_plural = _("risk notice acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "notice_digest"], name="one_ack_per_notice_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}"

    def audit_org_path(self) -> str:
        return self.enrolment.audit_org_path()


class PaperworkReminder(AuditedModel, models.Model):
    """One round of "remind parents with missing items" sent for a term's roster."""

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "programs.Group",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # None while a background job is still sending them.
    families = models.PositiveIntegerField(_("families reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("paperwork reminder")
        verbose_name_plural = _("paperwork reminders")
        indexes = [models.Index(fields=["term", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.term} · {self.sent_at:%Y-%m-%d %H:%M}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()
