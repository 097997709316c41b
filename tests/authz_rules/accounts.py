"""Rules for the accounts pages and API: log-in, passwords, tokens, the family, workers."""

from .base import (
    ALLOWED,
    ANY_USER,
    OWNER_PARENT,
    OWNER_PROVINCE_ADMIN,
    UNION_ADMINS,
    Rule,
    api,
    as_write,
    everyone,
    form,
    outcomes,
    own_text,
    page,
)

# orgs.permissions.PEOPLE_READER_ROLES (admins, reviewers, inspectors) read people.
PEOPLE_READERS = outcomes(403, admins=200, reviewer=200, outsider=200)
# A child's record: only the guardian changes it; people readers see it (403), others 404.
CHILD_CHANGE = outcomes(404, admins=403, reviewer=403, parent=200)

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- accounts: log-in, passwords, tokens ---------------------------------------------------
    "accounts:login": page(everyone(302), public=True, anonymous=200),
    "accounts:logout": page(everyone(302), method="POST", public=True, anonymous=302),
    "accounts:password_change": form(page(ANY_USER)),
    "accounts:password_reset": form(page(ANY_USER, public=True)),
    "accounts:password_reset_confirm": form(page(ANY_USER, public=True)),
    "accounts:tokens": form(page(ANY_USER, hides_text=own_text("token", "name"))),
    "accounts:token_revoke": page(outcomes(404, parent=ALLOWED), method="POST", obj="token"),
    # --- accounts: the family --------------------------------------------------------------
    "accounts:family": page(ANY_USER, hides_text=own_text("child", "name")),
    "accounts:child_add": form(page(ANY_USER)),
    "accounts:child_edit": form(page(CHILD_CHANGE, obj="child")),
    "accounts:child_delete": form(page(CHILD_CHANGE, obj="child")),
    "accounts:consent_grant": form(page(CHILD_CHANGE, obj="child")),
    "accounts:consent_withdraw": form(page(CHILD_CHANGE, obj="child")),
    "accounts:family_export": form(page(ANY_USER)),
    "accounts:policy": page(ANY_USER, public=True),
    "accounts:child_detail": form(
        page(outcomes(404, admins=200, reviewer=200, parent=200), obj="child")
    ),
    # --- accounts: the worker roster ----------------------------------------------------------
    "accounts:worker_list": page(PEOPLE_READERS, hides_text=own_text("child", "guardian")),
    "accounts:worker_create": form(page(UNION_ADMINS, role_gate=True)),
    "accounts:worker_import": form(page(UNION_ADMINS, role_gate=True)),
    "accounts:worker_import_template": page(UNION_ADMINS),
    "accounts:worker_import_result": page(OWNER_PROVINCE_ADMIN, obj="import_job", kwarg="job_pk"),
    "accounts:worker_detail": page(
        outcomes(404, admins=200, reviewer=200, parent=200), obj="worker"
    ),
    "accounts:worker_verify": page(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403, parent=403),
        method="POST",
        obj="worker",
        note="a caregiver of the same union is refused (403), see selectors.worker_for_change",
    ),
    # --- API: accounts ---------------------------------------------------------------------
    "child-list": (
        api(ANY_USER, hides="child", hides_detail="child-detail"),
        api(
            outcomes(403, parent=ALLOWED, other_parent=ALLOWED),
            method="POST",
            note="only a worker (parent) registers a child",
        ),
    ),
    "child-detail": (
        api(
            outcomes(404, admins=200, reviewer=200, parent=200),
            obj="child",
            query={"reason": "authorisation matrix probe"},
        ),
        as_write(api(CHILD_CHANGE, obj="child"), method="PATCH"),
        as_write(api(CHILD_CHANGE, obj="child"), method="DELETE"),
    ),
    "child-consent": (
        as_write(api(CHILD_CHANGE, obj="child")),
        as_write(api(CHILD_CHANGE, obj="child"), method="DELETE"),
    ),
    "worker-list": (
        api(PEOPLE_READERS, role_gate=True, hides="worker", hides_detail="worker-detail"),
        as_write(api(UNION_ADMINS, role_gate=True)),
    ),
    "worker-detail": api(outcomes(404, admins=200, reviewer=200, parent=200), obj="worker"),
    "worker-verify": api(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403, parent=403),
        method="POST",
        obj="worker",
    ),
    "token-list": (
        api(ANY_USER, hides="token", hides_detail="token-detail"),
        api(everyone(ALLOWED), method="POST"),
    ),
    "token-detail": api(OWNER_PARENT, obj="token"),
    "token-revoke": api(outcomes(404, parent=ALLOWED), method="POST", obj="token"),
}
