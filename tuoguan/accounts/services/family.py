"""The guardian's export of the family's data (PIPL Art. 45)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from tuoguan.audit.models import AuditEntry
from tuoguan.audit.services import audit_record
from tuoguan.orgs.permissions import Actor, require

from ..models import Child, Worker

# Later apps (enrolment, care…) add their part of a family's data here from AppConfig.ready():
# name → function(worker) returning JSON-serialisable data. Keeps the export complete without
# accounts importing them.
family_export_sections: dict[str, Callable[[Worker], Any]] = {}


def _export_child(child: Child) -> dict[str, Any]:
    return {
        "id": child.pk,
        "name": child.name,
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat(),
        "school": child.school,
        "grade": child.grade,
        "relationship": child.relationship,
        "id_number": child.id_number(),
        "registered_at": child.created_at.isoformat(),
        "consents": [
            {
                "policy_version": c.policy.version,
                "policy_title": c.policy.title,
                "granted_at": c.granted_at.isoformat(),
                "ip": c.ip,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in child.consents.all()
        ],
    }


@transaction.atomic
def family_export(*, actor: Actor, worker: Worker) -> dict[str, Any]:
    """The guardian's copy of the family's data (PIPL Art. 45), ID numbers in clear.

    Only the worker themselves may export; the export is logged like any other disclosure.
    """
    require(worker.user_id == actor.user.pk)
    children = worker.children.order_by("birth_date", "pk").prefetch_related("consents__policy")
    user = worker.user
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "guardian": {
            "real_name": user.real_name,
            "username": user.username,
            "mobile": user.mobile or "",
            "email": user.email,
            "employer": str(worker.employer),
            "member_number": worker.member_number,
            "membership_verified": worker.verified,
        },
        "children": [_export_child(child) for child in children],
    }
    for name, section in family_export_sections.items():
        data[name] = section(worker)
    audit_record(action=AuditEntry.Action.EXPORT, instance=worker)
    return data
