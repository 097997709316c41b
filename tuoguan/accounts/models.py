import datetime
import hashlib
import re
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core import crypto
from tuoguan.core.fonts import validate_printable
from tuoguan.core.models import TimeStampedModel

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number starting with 1.")
)
_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def id_number_validator(value: str) -> None:
    """Resident ID number (GB 11643-1999): format, embedded birth date and check character.

    The last character is the ISO 7064 MOD 11-2 checksum of the first 17: a mistyped
    digit is caught here rather than stored as another child's number.
    """
    value = (value or "").strip().upper()
    if not _ID_FORMAT.match(value):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            code="invalid",
        )
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The birth date inside this ID number is not a real date."), code="invalid_date"
        ) from exc
    total = sum(int(digit) * weight for digit, weight in zip(value, _ID_WEIGHTS, strict=False))
    if _ID_CHECK_CHARS[total % 11] != value[-1]:
        raise ValidationError(
            _("This ID number is not valid: one of its digits is wrong."), code="checksum"
        )


class User(AuditedModel, AbstractUser):
    """A person who logs in: union staff, caregiver, volunteer or parent."""

    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[mobile_validator],
    )
    real_name = models.CharField(_("real name"), max_length=60, validators=[validate_printable])

    audit_secret_fields = frozenset({"password"})

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.username

    def audit_org_path(self) -> str:
        worker = getattr(self, "worker", None)
        return worker.employer.path if worker is not None else ""


class Worker(AuditedModel, TimeStampedModel):
    """A union member (职工): parent or guardian of children in the programme."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="worker"
    )
    employer = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("employer union"),
        on_delete=models.PROTECT,
        related_name="workers",
    )
    member_number = models.CharField(_("union member number"), max_length=40, blank=True)
    verified = models.BooleanField(_("membership verified"), default=False)
    verified_by = models.ForeignKey(
        User,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "member_number"],
                condition=~models.Q(member_number=""),
                name="unique_member_number_per_employer",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    def audit_org_path(self) -> str:
        return self.employer.path


class Sex(models.TextChoices):
    FEMALE = "F", _("Girl")
    MALE = "M", _("Boy")


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other legal guardian")


class Grade(models.IntegerChoices):
    NONE = 0, _("Not at school yet")
    G1 = 1, _("Grade 1")
    G2 = 2, _("Grade 2")
    G3 = 3, _("Grade 3")
    G4 = 4, _("Grade 4")
    G5 = 5, _("Grade 5")
    G6 = 6, _("Grade 6")


# A consent counts while it is not withdrawn and was given under the current policy
# (also spliced into enrolment/fastpath.py's one-query read).
CONSENT_IN_FORCE = models.Q(withdrawn_at__isnull=True, policy__is_current=True)


class Child(AuditedModel, TimeStampedModel):
    """A worker's child (子女). Sensitive personal information under PIPL Art. 28."""

    guardian = models.ForeignKey(
        Worker, verbose_name=_("guardian"), on_delete=models.CASCADE, related_name="children"
    )
    relationship = models.CharField(
        _("relationship to the guardian"), max_length=20, choices=Relationship.choices
    )
    name = models.CharField(_("name"), max_length=60, validators=[validate_printable])
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    school = models.CharField(_("school"), max_length=120, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices, default=0)
    # Encrypted at rest; the blind index beside it finds duplicates without decrypting.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_last4 = models.CharField(max_length=4, blank=True, editable=False)
    id_number_prefix = models.CharField(max_length=4, blank=True, editable=False)

    audit_secret_fields = frozenset({"id_number_encrypted", "id_number_index"})

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="unique_child_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.guardian.employer.path

    def set_id_number(self, value: str) -> None:
        value = value.strip().upper()
        if not value:
            self.id_number_encrypted = self.id_number_index = ""
            self.id_number_last4 = self.id_number_prefix = ""
            return
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_index = crypto.blind_index(value)
        self.id_number_prefix, self.id_number_last4 = value[:4], value[-4:]

    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    @property
    def id_number_masked(self) -> str:
        """Shown on screen; built from stored ends so listing never decrypts."""
        if not self.id_number_index:
            return ""
        return f"{self.id_number_prefix}{'*' * 10}{self.id_number_last4}"

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def has_consent(self) -> bool:
        return self.consents.filter(CONSENT_IN_FORCE).exists()


class ConsentPolicy(TimeStampedModel):
    """A version of the policy on processing children's data (儿童个人信息处理规则)."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("policy text"))
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)
    is_current = models.BooleanField(_("current version"), default=False)

    class Meta:
        verbose_name = _("consent policy")
        verbose_name_plural = _("consent policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_consent_policy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class ChildConsent(AuditedModel, models.Model):
    """A guardian's separate consent (PIPL Art. 29, 31) for one child, under one version."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="consents"
    )
    policy = models.ForeignKey(
        ConsentPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.child} · {self.policy.version}"

    def audit_org_path(self) -> str:
        return self.child.guardian.employer.path


class ApiToken(AuditedModel, models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    audit_secret_fields = frozenset({"key_hash"})
    audit_ignored_fields = frozenset({"last_used_at"})

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class PasswordResetCode(models.Model):
    """A one-time six-digit code sent through the notification service."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")

    def __str__(self) -> str:
        return f"reset code for user {self.user_id}"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (
            self.used_at is None
            and self.attempts < 5
            and now - self.created_at < datetime.timedelta(minutes=30)
        )
