from typing import Any

from django.http import HttpRequest


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the header needs: the acting membership, the others to switch to, unread count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tuoguan.notifications.selectors import unread_count
    from tuoguan.orgs.permissions import memberships_of

    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "active_membership": getattr(actor, "membership", None),
        "all_memberships": list(memberships_of(user)),
        "unread_notifications": unread_count(user),
        "is_parent": hasattr(user, "worker"),
    }
