"""Inspection visits (督导), their checklists and photos, and rectification orders (整改)."""

import posixpath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SIGNED = "signed", _("Signed off")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the class")
    CANCELLED = "cancelled", _("Cancelled")


# A visit is "done" once the inspector has signed it off.
DONE_STATUSES = (VisitStatus.SIGNED, VisitStatus.ACKNOWLEDGED)


class Visit(AuditedModel, TimeStampedModel):
    """An inspection visit by an upper union to one term of a class (督导)."""

    planner = models.ForeignKey(
        "orgs.Org", verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    announced = models.BooleanField(_("announced to the class"), default=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+"
    )
    # The standard version the checklist was built from (Term.judged_standard or in force).
    standard = models.ForeignKey(
        "programs.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_name = models.CharField(_("inspector's signature"), max_length=60, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_name = models.CharField(_("class manager's signature"), max_length=60, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.term} · {self.date.isoformat()}"

    def audit_org_path(self) -> str:
        return str(self.planner.path)

    def get_inspect_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:visit_inspect", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """The checklist may still be changed: planned or in progress."""
        return self.status in (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS)

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class ItemResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("Not applicable")


class ChecklistItem(AuditedModel, TimeStampedModel):
    """One line of a visit's checklist: a criterion of the standard, or a free item."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="items"
    )
    # The criterion's code, or "free-<client id>" for an item the inspector added.
    key = models.CharField(_("key"), max_length=80)
    criterion = models.ForeignKey(
        "programs.Criterion",
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    area = models.CharField(_("area"), max_length=30, blank=True)
    label = models.CharField(_("item"), max_length=200)
    is_veto = models.BooleanField(_("veto (一票否决)"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    # What the data said when the checklist was built (programs.compliance), beside the
    # inspector's own judgement.
    data_status = models.CharField(_("from the data"), max_length=10, blank=True)
    data_detail = models.CharField(_("data detail"), max_length=300, blank=True)
    result = models.CharField(_("judgement"), max_length=10, choices=ItemResult.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The moment (on the inspector's phone) of the change that holds: the later one wins.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "key"], name="unique_checklist_item_key"),
        ]

    def __str__(self) -> str:
        return self.label

    def audit_org_path(self) -> str:
        return self.visit.audit_org_path()

    @property
    def is_free(self) -> bool:
        return self.criterion_id is None


class AnswerChange(models.Model):
    """One change of an item as a phone sent it; a resend of the same client id is a no-op.

    `applied` is False when a change made later (on another phone) already holds: the
    conflict is resolved item by item, the later change winning, and kept here.
    """

    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="changes"
    )
    client_id = models.UUIDField(_("client id"), unique=True)
    result = models.CharField(_("judgement"), max_length=10, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    changed_at = models.DateTimeField(_("changed at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    applied = models.BooleanField(_("applied"), default=True)

    class Meta:
        verbose_name = _("answer change")
        verbose_name_plural = _("answer changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.result or '-'}"


def photo_upload_to(instance: Any, filename: str) -> str:
    return f"supervision/{instance.visit_id}/{filename}"


class VisitPhoto(AuditedModel, TimeStampedModel):
    """A photo taken at a visit, attached to a checklist item; re-encoded, EXIF stripped."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("item"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    client_id = models.UUIDField(_("client id"), unique=True)
    image = models.FileField(_("photo"), upload_to=photo_upload_to)
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return posixpath.basename(self.image.name)

    def audit_org_path(self) -> str:
        return self.visit.audit_org_path()


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered, awaiting review")
    ACCEPTED = "accepted", _("Accepted")


OPEN_STATUSES = (RectificationStatus.OPEN, RectificationStatus.ANSWERED)


class Rectification(AuditedModel, TimeStampedModel):
    """A correction ordered by an inspection (整改), from one failed checklist item."""

    item = models.OneToOneField(
        ChecklistItem,
        verbose_name=_("failed item"),
        on_delete=models.CASCADE,
        related_name="rectification",
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="rectifications"
    )
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner at the class"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    # A veto-level finding: the term takes no check-ins until the order is accepted.
    suspends_checkins = models.BooleanField(_("check-ins suspended until accepted"), default=False)
    answer = models.TextField(_("what the class did"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    closed_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Overdue alerts go out at most once a day: the day of the last one.
    overdue_alerted_on = models.DateField(_("last overdue alert"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_at__isnull=True) | ~Q(extension_reason=""),
                name="rectification_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(self.item.label)

    def audit_org_path(self) -> str:
        return self.visit.audit_org_path()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: Any = None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())


class RectificationEvent(models.Model):
    """The history of an order: answered, sent back (with the reason), extended, given to
    another owner, accepted."""

    class Kind(models.TextChoices):
        ORDERED = "ordered", _("Ordered")
        ANSWERED = "answered", _("Answered")
        SENT_BACK = "sent_back", _("Sent back")
        EXTENDED = "extended", _("Deadline extended")
        REASSIGNED = "reassigned", _("Owner changed")
        ACCEPTED = "accepted", _("Accepted")

    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification order"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("what happened"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at.isoformat()}"


def evidence_upload_to(instance: Any, filename: str) -> str:
    return f"supervision/rectifications/{instance.rectification_id}/{filename}"


class RectificationEvidence(AuditedModel, TimeStampedModel):
    """A document or photo the class gives with its answer to an order."""

    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification order"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return posixpath.basename(self.file.name)

    def audit_org_path(self) -> str:
        return self.rectification.audit_org_path()
