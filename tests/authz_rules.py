"""Who may reach every URL of the project: the declared rules of the authorisation matrix.

tests/test_authorization_matrix.py walks the URL configuration and probes every named
pattern, for every persona of `tuoguan.core.testing.build_personas()`, on an object inside
the Liaoning subtree ("own") and on the same kind of object in Sichuan ("foreign"; the
objects are built in tests/conftest.py). A pattern without a rule here fails the suite.

To declare a new URL, add an entry to `RULES` below, keyed by its fully qualified name
("programs:term_detail", or "term-detail" for a DRF route), in the section of its app:

    "programs:term_detail": page(
        outcomes(404, admins=200, caregiver=200, reviewer=200), obj="term"
    ),

* `outcomes(default, **persona)` gives the status each logged-in persona gets on the OWN
  object (or, without `obj`, on the URL itself); `admins=` sets the three Liaoning union
  admins at once. Use 200/302/… for GET probes and ALLOWED for writes (the probe posts an
  empty body, so 200, 302, 400 or 405 all mean "let through"; a refusal must be exactly the
  declared 403 or 404).
* `obj` names the object kind whose pk fills the URL's `kwarg` (see World in conftest.py;
  add a kind there when a new model gets pages). The outsider gets 404 on every own object.
* On the foreign object every persona gets 404, except `outsider` and `other_parent`, who
  get what `province_admin` and `parent` get on the own object (they own the foreign side).
  `role_gate=True` says the view refuses the role before it looks the object up (403
  whatever the object); `foreign={...}` overrides single personas, with a reason in `note`.
* Anonymous visitors are sent to the login page (pages) or get 401/403 (API) unless the
  rule says `public=True` (then `anonymous` defaults to the own-object outcome).
* Lists: `hides="child"` checks that the own child's id is absent from the JSON list of
  every persona who gets 404 on the kind's detail route (`hides_detail`); `hides_text`
  checks that a text of the own side is absent from the outsider's and other parent's page.

Never weaken a rule to make a failing probe pass when the probe shows someone reaching what
they should not: the failure is the finding. Fix the view, or report it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

ALLOWED = "allowed"  # a write probe that was let through: anything but 401/403/404
LOGIN = "login"  # 302 to settings.LOGIN_URL
API_DENIED = "api-denied"  # 401 or 403
Outcome = int | str

PERSONAS = (
    "province_admin",
    "city_admin",
    "grassroots_admin",
    "caregiver",
    "reviewer",
    "parent",
    "outsider",
    "other_parent",
)
ADMINS = ("province_admin", "city_admin", "grassroots_admin")
# Who owns the foreign side, and whose own-side outcome they mirror.
MIRROR = {"outsider": "province_admin", "other_parent": "parent"}
DENIALS = frozenset({401, 403, 404})


def outcomes(default: Outcome, **given: Outcome) -> dict[str, Outcome]:
    """An outcome for each logged-in persona; `admins=` stands for the three Liaoning admins."""
    result = dict.fromkeys(PERSONAS, default)
    if "admins" in given:
        result.update(dict.fromkeys(ADMINS, given.pop("admins")))
    unknown = set(given) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas {sorted(unknown)}")
    result.update(given)
    return result


def everyone(status: Outcome) -> dict[str, Outcome]:
    return outcomes(status)


@dataclass(frozen=True)
class Rule:
    expect: Mapping[str, Outcome]
    api: bool = False
    method: str = "GET"
    obj: str | None = None
    kwarg: str = "pk"
    public: bool = False
    anonymous: Outcome | None = None
    role_gate: bool = False
    foreign: Mapping[str, Outcome] = field(default_factory=dict)
    # The body of the probe, from (world, object or None); default: empty.
    data: Callable[[Any, Any], dict[str, Any]] | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    hides: str | None = None
    hides_detail: str | None = None
    hides_text: Callable[[Any], str] | None = None
    note: str = ""

    def anonymous_outcome(self) -> Outcome:
        if self.anonymous is not None:
            return self.anonymous
        if self.public:
            return self.expect["parent"]
        return API_DENIED if self.api else LOGIN

    def foreign_outcome(self, persona: str) -> Outcome:
        if persona in self.foreign:
            return self.foreign[persona]
        if self.public:
            return self.expect[persona]
        if persona in MIRROR:
            return self.expect[MIRROR[persona]]
        if self.role_gate and self.expect[persona] == 403:
            return 403
        return 404


def page(expect: Mapping[str, Outcome], **options: Any) -> Rule:
    return Rule(expect=expect, **options)


def api(expect: Mapping[str, Outcome], **options: Any) -> Rule:
    return Rule(expect=expect, api=True, **options)


def as_write(rule: Rule, method: str = "POST", **changes: Any) -> Rule:
    """The same rule probed with a write: every outcome that is not a refusal is ALLOWED."""

    def written(outcome: Outcome) -> Outcome:
        return outcome if outcome in DENIALS or outcome in (LOGIN, API_DENIED) else ALLOWED

    expect = {persona: written(o) for persona, o in rule.expect.items()}
    foreign = {persona: written(o) for persona, o in rule.foreign.items()}
    anonymous = None if rule.anonymous is None else written(rule.anonymous)
    return replace(
        rule, method=method, expect=expect, foreign=foreign, anonymous=anonymous, **changes
    )


def form(rule: Rule) -> tuple[Rule, ...]:
    """A GET/POST page: probed with GET, then with an empty POST (same decision)."""
    return (rule, as_write(rule))


def _own_membership(world: Any, membership: Any) -> dict[str, Any]:
    return {"membership": membership.pk}


# --- Shared outcome sets ------------------------------------------------------------------------

ANY_USER = everyone(200)
# Pages of one's own family, worker profile or inbox: everyone logged in reaches them.
STAFF_READ_SUBTREE = outcomes(404, admins=200, caregiver=200, reviewer=200)
# orgs.permissions.PEOPLE_READER_ROLES (admins, reviewers, inspectors) read people.
PEOPLE_READERS = outcomes(403, admins=200, reviewer=200, outsider=200)
UNION_ADMINS = outcomes(403, admins=200, outsider=200)
# A child's record: only the guardian changes it; people readers see it (403), others 404.
CHILD_CHANGE = outcomes(404, admins=403, reviewer=403, parent=200)
# Changing a union (add below, edit, grant roles): its admins; other roles of the line 403.
ORG_CHANGE = outcomes(404, admins=200, caregiver=403, reviewer=403)
# Moving or deactivating: only from strictly above, never one's own union.
ORG_RESTRUCTURE = outcomes(
    404, province_admin=200, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=403
)
# A survey of the grassroots union: its admins manage, reviewers read, the family answers.
SURVEY_STAFF_READ = outcomes(404, admins=200, reviewer=200)
SURVEY_CHANGE = outcomes(404, admins=ALLOWED, reviewer=403)
# One person's own thing (token, notification, job): the owner only.
OWNER_PARENT = outcomes(404, parent=200)
OWNER_PROVINCE_ADMIN = outcomes(404, province_admin=200)
# Enrolments: the family, and roster readers of the host's line (caregivers included).
ENROLMENT_READ = outcomes(404, admins=200, caregiver=200, reviewer=200, parent=200)
ENROLMENT_FAMILY_ACTION = outcomes(404, admins=403, caregiver=403, reviewer=403, parent=ALLOWED)
ENROLMENT_HOST_ACTION = outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403, parent=403)


def _text(kind: str, attribute: str) -> Callable[[Any], str]:
    return lambda world: str(getattr(world.own[kind], attribute))


RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- core ---------------------------------------------------------------------------------
    "core:home": page(everyone(302), note="redirects each person to where their work starts"),
    "core:healthz": page(everyone(200), public=True),
    "core:job": page(OWNER_PROVINCE_ADMIN, obj="import_job"),
    # --- accounts: log-in, passwords, tokens ---------------------------------------------------
    "accounts:login": page(everyone(302), public=True, anonymous=200),
    "accounts:logout": page(everyone(302), method="POST", public=True, anonymous=302),
    "accounts:password_change": form(page(ANY_USER)),
    "accounts:password_reset": form(page(ANY_USER, public=True)),
    "accounts:password_reset_confirm": form(page(ANY_USER, public=True)),
    "accounts:tokens": form(page(ANY_USER, hides_text=_text("token", "name"))),
    "accounts:token_revoke": page(
        outcomes(404, parent=ALLOWED), method="POST", obj="token"
    ),
    # --- accounts: the family --------------------------------------------------------------
    "accounts:family": page(ANY_USER, hides_text=_text("child", "name")),
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
    "accounts:worker_list": page(PEOPLE_READERS, hides_text=_text("child", "guardian")),
    "accounts:worker_create": form(page(UNION_ADMINS, role_gate=True)),
    "accounts:worker_import": form(page(UNION_ADMINS, role_gate=True)),
    "accounts:worker_import_template": page(UNION_ADMINS),
    "accounts:worker_import_result": page(
        OWNER_PROVINCE_ADMIN, obj="import_job", kwarg="job_pk"
    ),
    "accounts:worker_detail": page(outcomes(404, admins=200, reviewer=200, parent=200), obj="worker"),
    "accounts:worker_verify": page(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403, parent=403),
        method="POST",
        obj="worker",
        note="a caregiver of the same union is refused (403), see selectors.worker_for_change",
    ),
    # --- orgs ---------------------------------------------------------------------------------
    "orgs:tree": page(
        outcomes(200, parent=403, other_parent=403), hides_text=_text("org", "name")
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
    # --- audit ---------------------------------------------------------------------------------
    "audit:log": page(UNION_ADMINS),
    "audit:entry": page(
        outcomes(403, admins=200, outsider=404), obj="audit_entry", role_gate=True
    ),
    # --- notifications -------------------------------------------------------------------------
    "notifications:inbox": page(ANY_USER, hides_text=_text("notification", "subject")),
    "notifications:read": page(outcomes(404, parent=ALLOWED), method="POST", obj="notification"),
    "notifications:read_all": page(everyone(ALLOWED), method="POST"),
    "notifications:deliveries": page(ANY_USER),
    # --- enrolment: needs surveys ----------------------------------------------------------
    "enrolment:survey_list": page(
        outcomes(403, admins=200, reviewer=200, outsider=200),
        hides_text=_text("survey", "title"),
    ),
    "enrolment:survey_create": form(page(UNION_ADMINS, role_gate=True)),
    "enrolment:survey_detail": page(SURVEY_STAFF_READ, obj="survey"),
    "enrolment:survey_publish": page(SURVEY_CHANGE, method="POST", obj="survey"),
    "enrolment:survey_close": page(SURVEY_CHANGE, method="POST", obj="survey"),
    "enrolment:survey_export": page(SURVEY_STAFF_READ, obj="survey"),
    "enrolment:survey_answer": form(page(outcomes(404, parent=200), obj="survey")),
    "enrolment:my_surveys": page(ANY_USER, hides_text=_text("survey", "title")),
    # --- enrolment: lottery draws --------------------------------------------------------
    "enrolment:draw_public": page(
        everyone(200),
        obj="draw",
        public=True,
        note="public on purpose: anyone may check a lottery; it shows no personal data",
    ),
    # --- API: orgs and memberships (DefaultRouter, with .json suffix variants) ------------------
    "api-root": api(ANY_USER),
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
    # --- API: enrolment --------------------------------------------------------------------
    "enrolment-apply": api(
        outcomes(404, parent=ALLOWED, other_parent=ALLOWED),
        method="POST",
        obj="term",
        kwarg="term_id",
        foreign={"parent": ALLOWED},
        note=(
            "a published term is open to every family (eligibility then refuses with 400); "
            "staff without a family get 404"
        ),
    ),
    "draw-run": api(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403),
        method="POST",
        obj="lottery_term",
        kwarg="term_id",
    ),
    "enrolment-list": api(ANY_USER, hides="enrolment", hides_detail="enrolment-detail"),
    "enrolment-detail": api(ENROLMENT_READ, obj="enrolment"),
    "enrolment-withdraw": api(ENROLMENT_FAMILY_ACTION, method="POST", obj="enrolment"),
    "enrolment-accept-offer": api(ENROLMENT_FAMILY_ACTION, method="POST", obj="enrolment"),
    "enrolment-decline-offer": api(ENROLMENT_FAMILY_ACTION, method="POST", obj="enrolment"),
    "enrolment-remove": api(ENROLMENT_HOST_ACTION, method="POST", obj="enrolment"),
    "enrolment-admit": api(ENROLMENT_HOST_ACTION, method="POST", obj="enrolment"),
    "draw-detail": api(ENROLMENT_READ, obj="draw"),
    "survey-list": (
        api(ANY_USER, hides="survey", hides_detail="survey-detail"),
        as_write(api(UNION_ADMINS, role_gate=True)),
    ),
    "survey-detail": api(outcomes(404, admins=200, reviewer=200, parent=200), obj="survey"),
    "survey-answer": (
        api(outcomes(404, parent=200), obj="survey"),
        api(outcomes(404, parent=ALLOWED), method="POST", obj="survey"),
    ),
    "survey-publish": api(SURVEY_CHANGE, method="POST", obj="survey"),
    "survey-close": api(SURVEY_CHANGE, method="POST", obj="survey"),
    "survey-totals": api(SURVEY_STAFF_READ, obj="survey"),
    # --- API schema and docs: public on purpose ----------------------------------------------
    "api-schema": api(everyone(200), public=True),
    "api-docs": api(everyone(200), public=True),
}


def rules_for(name: str) -> tuple[Rule, ...]:
    rule = RULES[name]
    return rule if isinstance(rule, tuple) else (rule,)
