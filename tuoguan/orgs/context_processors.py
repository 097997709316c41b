from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .models import Role

# Roles whose work happens on a phone beside the children: they get the family's layout
# (bottom tab bar, cards), not the dense staff header.
PHONE_ROLES = frozenset({Role.CAREGIVER, Role.VOLUNTEER})
STAFF_READERS = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})


@dataclass(frozen=True)
class MenuItem:
    """One entry of a menu; `current` when the page shown belongs to it (aria-current)."""

    label: str | Promise
    icon: str
    url: str
    current: bool


# (url name, label, icon, the other pages that belong to the entry: view names or prefixes)
Entry = tuple[str, str | Promise, str, tuple[str, ...]]

FAMILY: tuple[Entry, ...] = (
    ("accounts:family", _("My family"), "users", ("accounts:child_", "accounts:consent_")),
    (
        "enrolment:terms_open",
        _("Enrol"),
        "clipboard-list",
        ("enrolment:apply", "enrolment:my_enrolments", "enrolment:detail", "enrolment:offer_"),
    ),
    (
        "care:family",
        _("Today at the class"),
        "calendar-event",
        ("care:child_", "care:absence", "care:temporary_pickup"),
    ),
    ("enrolment:my_surveys", _("Surveys"), "checklist", ("enrolment:survey_answer",)),
    ("funds:my_fees", _("Fees"), "file-text", ()),
    ("notifications:inbox", _("Inbox"), "inbox", ("notifications:",)),
)


# The caregivers' pages of daily care (not the incidents', which have their own entry).
DAILY_CARE_PAGES = (
    "care:group", "care:scan", "care:duty", "care:close", "care:health", "care:check",
    "care:notify", "care:correct", "care:rates", "care:kiosk", "care:rules", "care:emergency",
    "care:drill",
)  # fmt: skip


def _staff_entries(role: str) -> list[Entry]:
    entries: list[Entry] = [
        ("orgs:tree", _("Unions"), "building-community", ("orgs:",)),
        (
            "programs:list",
            _("Classes"),
            "home",
            ("programs:detail", "programs:term", "programs:venue"),
        ),
    ]
    if role == Role.UNION_ADMIN:
        entries += [
            ("programs:approvals", _("Approvals"), "gavel", ()),
            ("programs:compliance", _("Compliance"), "shield-check", ("programs:evidence",)),
        ]
    if role in (Role.UNION_ADMIN, Role.REVIEWER):
        entries.append(("programs:standard_list", _("Standards"), "book", ("programs:standard",)))
    # Supervision (督导): the unions above plan and read it, inspectors go out, classes answer.
    if role in STAFF_READERS:
        entries.append(
            ("supervision:visit_list", _("Supervision"), "clipboard-list", ("supervision:",))
        )
    elif role in (Role.PROGRAM_MANAGER, Role.CAREGIVER):
        entries.append(
            ("supervision:rectification_list", _("Rectifications"), "checklist", ("supervision:",))
        )
    # Demonstration classes (示范点评选): unions run campaigns, classes enter, reviewers score.
    if role in (Role.UNION_ADMIN, Role.REVIEWER, Role.PROGRAM_MANAGER):
        entries.append(
            ("awards:campaign_list", _("Demonstration classes"), "certificate", ("awards:",))
        )
    # Funds (专项资金): unions keep budgets and grants, classes their expenses and fees.
    if role in (Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR, Role.PROGRAM_MANAGER):
        entries.append(("funds:home", _("Funds"), "file-text", ("funds:",)))
    if role in STAFF_READERS:
        entries.append(("accounts:worker_list", _("Workers"), "id-badge-2", ("accounts:worker",)))
    if role in (Role.UNION_ADMIN, Role.PROGRAM_MANAGER, Role.CAREGIVER):
        entries.insert(0, ("care:today", _("Daily care"), "clock", DAILY_CARE_PAGES))
        # Incidents (应急处理): reported at the class, told up the union tree by severity.
        entries.insert(1, ("care:incidents", _("Incidents"), "alert-triangle", ("care:incident",)))
    if role != Role.VOLUNTEER:
        entries.append(
            ("enrolment:roster_terms", _("Rosters"), "file-spreadsheet", ("enrolment:roster",))
        )
    if role == Role.UNION_ADMIN:
        entries += [
            ("enrolment:survey_list", _("Surveys"), "checklist", ("enrolment:survey_",)),
            ("audit:log", _("Audit log"), "history", ("audit:",)),
        ]
    return entries


def _items(entries: list[Entry] | tuple[Entry, ...], view_name: str) -> list[MenuItem]:
    return [
        MenuItem(
            label=label,
            icon=icon,
            url=reverse(name),
            current=view_name == name or any(view_name.startswith(p) for p in also),
        )
        for name, label, icon, also in entries
    ]


def menus(user: Any, membership: Any, view_name: str) -> dict[str, Any]:
    """The header's menus for this person: what a parent needs is not what staff need.

    A family sees its family, enrolment, surveys and inbox, nothing of the machinery (API
    tokens, delivery logs); staff see their role's pages, and API tokens under their account.
    """
    is_parent = hasattr(user, "worker")
    role = getattr(membership, "role", None)
    entries: list[Entry] = []
    if is_parent:
        entries += FAMILY
    if role is not None:
        staff = _staff_entries(role)
        entries += [e for e in staff if e[0] not in {f[0] for f in entries}]
    account: list[Entry] = [
        ("accounts:password_change", _("Change password"), "lock", ()),
    ]
    if role is not None:
        account.append(("accounts:tokens", _("API tokens"), "key", ()))
    return {
        "menu": _items(entries, view_name),
        "account_menu": _items(account, view_name),
        # The family layout: a bottom tab bar and cards, for families and staff at the children.
        "phone_layout": role is None or role in PHONE_ROLES,
    }


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the header needs: the acting membership, the others to switch to, unread count.

    Each is read when a template first uses it: an HTMX fragment (the live view's poll)
    renders no header and reads none of them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tuoguan.notifications.selectors import unread_count
    from tuoguan.orgs.permissions import memberships_of

    actor = getattr(request, "actor", None)
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""

    @cache
    def menu() -> dict[str, Any]:
        return menus(user, getattr(actor, "membership", None), view_name)

    return {
        "actor": actor,
        "active_membership": SimpleLazyObject(lambda: getattr(actor, "membership", None)),
        "all_memberships": SimpleLazyObject(lambda: list(memberships_of(user))),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "is_parent": SimpleLazyObject(lambda: hasattr(user, "worker")),
        "menu": SimpleLazyObject(lambda: menu()["menu"]),
        "account_menu": SimpleLazyObject(lambda: menu()["account_menu"]),
        "phone_layout": SimpleLazyObject(lambda: menu()["phone_layout"]),
    }
