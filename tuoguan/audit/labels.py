"""The log's words for record types and field names, in the reader's language.

A model or field declared without a verbose_name is named by Django after its code name, in
English that no catalogue translates ("seat pool", "numchild"): the log reads these from
UNLABELLED instead. tuoguan/audit/tests/test_labels.py fails when a project model or field
has neither a translated verbose_name nor an entry here.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

UNLABELLED: dict[str, Promise] = {
    "enrolment.seatpool": _("seat pool"),
    "enrolment.seatpool.term": _("term"),
    "enrolment.seatpool.group": _("group"),
    "enrolment.seatpool.capacity": _("capacity"),
    "enrolment.seatpool.taken": _("seats taken"),
    "enrolment.seatpool.waitlist_seq": _("waitlist counter"),
    "enrolment.idempotencykey": _("repeated-request guard"),
    "enrolment.idempotencykey.user": _("user"),
    "enrolment.idempotencykey.key": _("request key"),
    "enrolment.idempotencykey.fingerprint": _("request fingerprint"),
    "enrolment.idempotencykey.status_code": _("response status"),
    "enrolment.idempotencykey.response": _("response"),
    "enrolment.idempotencykey.created_at": _("created at"),
    "enrolment.draw.job": _("background job"),
    "enrolment.risknoticeack.notice_digest": _("digest of the notice"),
    "enrolment.risknoticeack.acknowledged_by": _("acknowledged by"),
    "orgs.org.path": _("place in the union tree"),
    "orgs.org.depth": _("level in the union tree"),
    "orgs.org.numchild": _("number of subordinate unions"),
    "accounts.child.id_number_index": _("ID number (search index)"),
    "accounts.child.id_number_last4": _("ID number (last four digits)"),
    "accounts.child.id_number_prefix": _("ID number (first digits)"),
    "accounts.apitoken.key_hash": _("key (hashed)"),
    "accounts.passwordresetcode.user": _("user"),
    "accounts.passwordresetcode.code_hash": _("code (hashed)"),
    "accounts.passwordresetcode.created_at": _("created at"),
    "accounts.passwordresetcode.used_at": _("used at"),
    "accounts.passwordresetcode.attempts": _("attempts"),
    "notifications.notification.dispatch_pending": _("copies waiting to be sent"),
    "notifications.delivery.notification": _("notification"),
    "notifications.delivery.updated_at": _("updated at"),
}


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_label(model: type[models.Model]) -> str:
    name = model._meta.verbose_name
    if isinstance(name, Promise):
        return str(name)
    return str(UNLABELLED.get(model._meta.label_lower, name))


def record_type_label(label: str) -> str:
    """A stored "app.Model" in words ("child"), or the label itself when the model is gone."""
    model = _model(label)
    return label if model is None else model_label(model)


def field_label(label: str, name: str) -> str:
    """A stored field name ("decided_by_id" too) in words, or the name if the field is gone."""
    model = _model(label)
    if model is None:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    verbose = getattr(field, "verbose_name", None)
    if isinstance(verbose, Promise):
        return str(verbose)
    return str(UNLABELLED.get(f"{model._meta.label_lower}.{field.name}", verbose or name))
