"""Rules for the union tree and memberships: pages and API."""

from typing import Any

from .base import (
    ALLOWED,
    ANY_USER,
    STAFF_READ_SUBTREE,
    Rule,
    api,
    as_write,
    everyone,
    form,
    outcomes,
    own_text,
    page,
)

# Changing a union (add below, edit, grant roles): its admins; other roles of the line 403.
ORG_CHANGE = outcomes(404, admins=200, caregiver=403, reviewer=403)
# Moving or deactivating: only from strictly above, never one's own union.
ORG_RESTRUCTURE = outcomes(
    404, province_admin=200, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=403
)


def _own_membership(world: Any, membership: Any) -> dict[str, Any]:
    return {"membership": membership.pk}


RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- orgs ---------------------------------------------------------------------------------
    "orgs:tree": page(
        outcomes(200, parent=403, other_parent=403), hides_text=own_text("org", "name")
    ),
    "orgs:detail": page(STAFF_READ_SUBTREE, obj="org"),
    "orgs:children": page(STAFF_READ_SUBTREE, obj="org"),
    "orgs:create": form(page(ORG_CHANGE, obj="org")),
    "orgs:edit": form(page(ORG_CHANGE, obj="org")),
    "orgs:move": form(page(ORG_RESTRUCTURE, obj="org")),
    "orgs:deactivate": form(page(ORG_RESTRUCTURE, obj="org")),
    "orgs:membership_add": form(page(ORG_CHANGE, obj="org")),
    "orgs:membership_revoke": page(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403),
        method="POST",
        obj="membership",
        note="the caregiver's own membership: visible to them, not theirs to revoke",
    ),
    "orgs:switch_membership": page(
        outcomes(404, caregiver=302),
        method="POST",
        obj="membership",
        kwarg="",
        data=_own_membership,
        note="acting through someone else's membership is a 404, even for their admins",
    ),
    # --- API: orgs and memberships (DefaultRouter, with .json suffix variants) ------------------
    "org-list": (
        api(ANY_USER, hides="org", hides_detail="org-detail"),
        api(everyone(ALLOWED), method="POST", note="400: the parent must lie in one's subtree"),
    ),
    "org-detail": (
        api(STAFF_READ_SUBTREE, obj="org"),
        api(outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403), method="PATCH", obj="org"),
    ),
    "org-move": as_write(api(ORG_RESTRUCTURE, obj="org")),
    "org-deactivate": as_write(api(ORG_RESTRUCTURE, obj="org")),
    "membership-list": (
        api(ANY_USER, hides="membership", hides_detail="membership-detail"),
        api(everyone(ALLOWED), method="POST", note="400: the union must lie in one's subtree"),
    ),
    "membership-detail": api(
        outcomes(404, admins=200, caregiver=200, reviewer=200), obj="membership"
    ),
    "membership-revoke": api(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403), method="POST", obj="membership"
    ),
}
