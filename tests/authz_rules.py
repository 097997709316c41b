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
  whatever the object); `role_gate=NO_MEMBERSHIP` says so of parents only (views that need
  a membership first). `foreign={...}` overrides single personas, with a reason in `note`.
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
# Views that require a membership before anything else refuse these two (403) first.
NO_MEMBERSHIP = ("parent", "other_parent")
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
    # The URL kwarg filled with the object's pk, or {kwarg: attribute of the object}.
    kwarg: str | Mapping[str, str] = "pk"
    public: bool = False
    anonymous: Outcome | None = None
    # Who is refused before the object is looked up, and so gets their own-object outcome on
    # any object: True for every persona refused with 403, or a tuple of persona names.
    role_gate: bool | tuple[str, ...] = False
    foreign: Mapping[str, Outcome] = field(default_factory=dict)
    # The body of the probe, from (world, object or None); default: empty.
    data: Callable[[Any, Any], dict[str, Any]] | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    hides: str | None = None
    hides_detail: str | None = None
    hides_text: Callable[[Any], str] | None = None
    # Dotted names replaced by a stand-in returning `b"stub"` while probing: slow work behind
    # the access decision (rendering a PDF) that other tests cover.
    stubs: tuple[str, ...] = ()
    note: str = ""

    def url_kwargs(self) -> dict[str, str]:
        """URL kwarg → attribute of the object that fills it."""
        if not self.obj or not self.kwarg:
            return {}
        if isinstance(self.kwarg, str):
            return {self.kwarg: "pk"}
        return dict(self.kwarg)

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
        if self.expect[persona] == 403 and (
            self.role_gate is True
            or (isinstance(self.role_gate, tuple) and persona in self.role_gate)
        ):
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


def _pickup_body(world: Any, pickup: Any) -> dict[str, Any]:
    """A complete PUT body, so that the probe reaches the permission check."""
    return {
        "child": pickup.child_id,
        "name": pickup.name,
        "relation": pickup.relation,
        "mobile": pickup.mobile,
    }


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
# The family's own paperwork: roster readers who see the enrolment are refused (403).
FAMILY_PAPERWORK = outcomes(404, admins=403, caregiver=403, reviewer=403, parent=200)
# Roster pages of a term: readers of the host's line; acting is for the host's managers.
ROSTER_READ = outcomes(404, admins=200, caregiver=200, reviewer=200)
ROSTER_MANAGE = outcomes(404, admins=200, caregiver=403, reviewer=403)
ROSTER_ENROLMENT = {"term_pk": "term_id", "pk": "pk"}


# Classes, terms and venues: staff of the host's line read; the host's managers change them.
CLASS_READ = STAFF_READ_SUBTREE
CLASS_MANAGE = outcomes(404, admins=200, caregiver=403, reviewer=403)
CLASS_MANAGE_WRITE = outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403)
# Staff pages without an object: every membership; a parent (no membership) gets 403.
STAFF_ONLY = outcomes(200, parent=403, other_parent=403)
HOST_ROLE_PAGE = outcomes(403, admins=200, outsider=200)
# Approving and reviewing come from strictly above the host, never from the host itself.
TERM_APPROVE = outcomes(
    404, province_admin=200, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=403
)
# A province's standard: read by every staff member at and below it; only its admins change it.
STANDARD_READ = outcomes(404, admins=200, caregiver=200, reviewer=200, parent=403, other_parent=403)
# Evidence is reviewed by admins and reviewers strictly above the host.
EVIDENCE_REVIEW = outcomes(
    404, province_admin=200, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=200
)
STANDARD_CHANGE = outcomes(
    404,
    province_admin=200,
    city_admin=403,
    grassroots_admin=403,
    caregiver=403,
    reviewer=403,
    parent=403,
    other_parent=403,
)
# Standards are kept from the province down to the county: not by grassroots unions.
STANDARD_CREATE = outcomes(403, province_admin=200, city_admin=200, outsider=200)
CALENDAR_CHANGE = outcomes(403, province_admin=ALLOWED, outsider=ALLOWED)


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
    "accounts:token_revoke": page(outcomes(404, parent=ALLOWED), method="POST", obj="token"),
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
    # --- orgs ---------------------------------------------------------------------------------
    "orgs:tree": page(outcomes(200, parent=403, other_parent=403), hides_text=_text("org", "name")),
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
    "audit:entry": page(outcomes(403, admins=200, outsider=404), obj="audit_entry", role_gate=True),
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
    # --- enrolment: the parent's pages ---------------------------------------------------------
    "enrolment:terms_open": page(ANY_USER, hides_text=_text("program", "name")),
    "enrolment:apply": form(
        page(
            outcomes(404, parent=200),
            obj="term",
            kwarg="term_pk",
            note="terms of unions outside the family's employer chain are a 404",
        )
    ),
    "enrolment:my_enrolments": page(ANY_USER, hides_text=_text("program", "name")),
    "enrolment:detail": page(outcomes(404, parent=200), obj="enrolment"),
    "enrolment:offer_accept": page(outcomes(404, parent=ALLOWED), method="POST", obj="enrolment"),
    "enrolment:offer_decline": page(outcomes(404, parent=ALLOWED), method="POST", obj="enrolment"),
    "enrolment:withdraw": form(page(outcomes(404, parent=200), obj="enrolment")),
    # --- enrolment: the union's rosters ---------------------------------------------------------
    "enrolment:roster_terms": page(
        outcomes(403, admins=200, caregiver=200, reviewer=200, outsider=200),
        hides_text=_text("program", "name"),
    ),
    "enrolment:roster": page(ROSTER_READ, obj="term", kwarg="term_pk"),
    "enrolment:roster_remind": as_write(page(ROSTER_MANAGE, obj="term", kwarg="term_pk")),
    "enrolment:roster_export": page(
        ROSTER_MANAGE,
        obj="term",
        kwarg="term_pk",
        note="the export carries personal data out: the host's managers only",
    ),
    "enrolment:roster_draw": as_write(page(ROSTER_MANAGE, obj="lottery_term", kwarg="term_pk")),
    "enrolment:roster_import": form(page(ROSTER_MANAGE, obj="term", kwarg="term_pk")),
    "enrolment:roster_import_template": page(ROSTER_MANAGE, obj="term", kwarg="term_pk"),
    "enrolment:roster_admit": form(page(ROSTER_MANAGE, obj="enrolment", kwarg=ROSTER_ENROLMENT)),
    "enrolment:roster_remove": form(page(ROSTER_MANAGE, obj="enrolment", kwarg=ROSTER_ENROLMENT)),
    "enrolment:roster_export_download": page(
        OWNER_PROVINCE_ADMIN, obj="roster_export_job", kwarg="job_pk"
    ),
    "enrolment:roster_import_result": page(
        OWNER_PROVINCE_ADMIN, obj="roster_import_job", kwarg="job_pk"
    ),
    # --- enrolment: paperwork ---------------------------------------------------------------
    "enrolment:paperwork": page(ENROLMENT_READ, obj="enrolment"),
    "enrolment:agreement_sign": form(page(FAMILY_PAPERWORK, obj="enrolment")),
    "enrolment:health_view": page(
        FAMILY_PAPERWORK,
        obj="enrolment",
        note="caregivers read health notes only while the term runs (it starts in 60 days)",
    ),
    "enrolment:health_edit": form(page(FAMILY_PAPERWORK, obj="enrolment")),
    "enrolment:risk_ack": form(page(FAMILY_PAPERWORK, obj="enrolment")),
    "enrolment:agreement_pdf": page(
        ENROLMENT_READ,
        obj="agreement",
        stubs=("tuoguan.enrolment.views.paperwork.render_agreement_pdf",),
    ),
    "enrolment:agreement_templates": form(page(UNION_ADMINS, role_gate=True)),
    "enrolment:insurance_add": form(page(FAMILY_PAPERWORK, obj="child", kwarg="child_pk")),
    "enrolment:insurance_photo": page(ENROLMENT_READ, obj="insurance"),
    "enrolment:insurance_import": form(page(UNION_ADMINS, role_gate=True)),
    "enrolment:insurance_import_template": page(UNION_ADMINS, role_gate=True),
    "enrolment:insurance_import_result": page(
        OWNER_PROVINCE_ADMIN, obj="insurance_import_job", kwarg="job_pk"
    ),
    "enrolment:pickup_list": page(ENROLMENT_READ, obj="child", kwarg="child_pk"),
    "enrolment:pickup_add": form(page(FAMILY_PAPERWORK, obj="child", kwarg="child_pk")),
    "enrolment:pickup_edit": form(page(FAMILY_PAPERWORK, obj="pickup")),
    "enrolment:pickup_deactivate": as_write(page(FAMILY_PAPERWORK, obj="pickup")),
    "enrolment:pickup_photo": page(ENROLMENT_READ, obj="pickup"),
    # --- programs: classes and photos -------------------------------------------------------
    "programs:list": page(STAFF_ONLY, role_gate=True, hides_text=_text("program", "name")),
    "programs:create": form(page(HOST_ROLE_PAGE, role_gate=True)),
    "programs:detail": page(CLASS_READ, obj="program"),
    "programs:edit": form(page(CLASS_MANAGE, obj="program")),
    "programs:photo_add": form(page(CLASS_MANAGE, obj="program")),
    "programs:photo": page(CLASS_READ, obj="program_photo"),
    "programs:photo_remove": page(CLASS_MANAGE_WRITE, method="POST", obj="program_photo"),
    # --- programs: venues -----------------------------------------------------------------
    "programs:venue_list": page(STAFF_ONLY, role_gate=True, hides_text=_text("venue", "name")),
    "programs:venue_create": form(page(HOST_ROLE_PAGE, role_gate=True)),
    "programs:venue_detail": page(CLASS_READ, obj="venue"),
    "programs:venue_edit": form(page(CLASS_MANAGE, obj="venue")),
    "programs:venue_photo_add": form(page(CLASS_MANAGE, obj="venue")),
    "programs:venue_photo": page(CLASS_READ, obj="venue_photo"),
    "programs:venue_photo_remove": page(CLASS_MANAGE_WRITE, method="POST", obj="venue_photo"),
    # --- programs: terms, their lifecycle, groups and staff ----------------------------------
    "programs:term_create": form(page(CLASS_MANAGE, obj="program")),
    "programs:term_detail": page(CLASS_READ, obj="term"),
    "programs:term_edit": form(page(CLASS_MANAGE, obj="term")),
    "programs:term_day": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_submit": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_approve": as_write(page(TERM_APPROVE, obj="term")),
    "programs:term_reject": form(page(TERM_APPROVE, obj="term")),
    "programs:term_redraft": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_open_enrolment": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_start": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_close": form(page(CLASS_MANAGE, obj="term")),
    "programs:term_rejudge": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:approvals": page(UNION_ADMINS, role_gate=True),
    "programs:group_create": form(page(CLASS_MANAGE, obj="term")),
    "programs:group_edit": form(page(CLASS_MANAGE, obj="group")),
    "programs:group_delete": page(CLASS_MANAGE_WRITE, method="POST", obj="group"),
    "programs:staff_add": form(page(CLASS_MANAGE, obj="term")),
    "programs:staff_remove": page(CLASS_MANAGE_WRITE, method="POST", obj="term_staff"),
    # --- programs: compliance and evidence ---------------------------------------------------
    "programs:term_compliance": page(CLASS_READ, obj="term"),
    "programs:evidence_upload": form(page(CLASS_MANAGE, obj="term")),
    "programs:evidence_review": form(page(EVIDENCE_REVIEW, obj="evidence")),
    "programs:evidence_file": page(CLASS_READ, obj="evidence"),
    "programs:evidence_queue": page(
        outcomes(403, admins=200, reviewer=200, outsider=200), role_gate=True
    ),
    "programs:compliance": page(
        outcomes(403, admins=200, reviewer=200, outsider=200), role_gate=True
    ),
    # --- programs: construction standards ----------------------------------------------------
    "programs:standard_list": page(STAFF_ONLY, role_gate=True),
    "programs:standard_create": form(page(STANDARD_CREATE, role_gate=True)),
    "programs:standard_detail": page(STANDARD_READ, obj="standard", role_gate=NO_MEMBERSHIP),
    "programs:standard_edit": form(page(STANDARD_CHANGE, obj="standard", role_gate=NO_MEMBERSHIP)),
    "programs:standard_new_version": form(
        page(
            outcomes(
                404,
                province_admin=200,
                city_admin=200,
                grassroots_admin=403,
                caregiver=403,
                reviewer=403,
                parent=403,
                other_parent=403,
            ),
            obj="standard",
            role_gate=NO_MEMBERSHIP,
            note="a union copies a standard it can read into a draft of its own",
        )
    ),
    "programs:standard_publish": as_write(
        page(STANDARD_CHANGE, obj="standard", role_gate=NO_MEMBERSHIP)
    ),
    "programs:criterion_add": form(page(STANDARD_CHANGE, obj="standard", role_gate=NO_MEMBERSHIP)),
    "programs:criterion_edit": form(
        page(STANDARD_CHANGE, obj="criterion", role_gate=NO_MEMBERSHIP)
    ),
    "programs:criterion_remove": as_write(
        page(STANDARD_CHANGE, obj="criterion", role_gate=NO_MEMBERSHIP)
    ),
    # --- programs: the national work calendar ------------------------------------------------
    "programs:calendar": page(STAFF_ONLY, role_gate=True),
    "programs:calendar_day": page(CALENDAR_CHANGE, method="POST"),
    "programs:calendar_announce": page(CALENDAR_CHANGE, method="POST"),
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
        outcomes(404, parent=ALLOWED),
        method="POST",
        obj="term",
        kwarg="term_id",
        note=(
            "as its page twin enrolment:apply: a term of a union outside the family's "
            "employer chain is a 404 (so is any term for staff without a family)"
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
    "enrolment-check-priority": api(ENROLMENT_HOST_ACTION, method="POST", obj="enrolment"),
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
    "enrolment-paperwork": api(ENROLMENT_READ, obj="enrolment"),
    "enrolment-agreement": (
        api(FAMILY_PAPERWORK, obj="enrolment"),
        as_write(api(FAMILY_PAPERWORK, obj="enrolment")),
    ),
    "enrolment-health": (
        api(FAMILY_PAPERWORK, obj="enrolment"),
        as_write(api(FAMILY_PAPERWORK, obj="enrolment"), method="PUT"),
    ),
    "enrolment-risk-notice": (
        api(FAMILY_PAPERWORK, obj="enrolment"),
        as_write(api(FAMILY_PAPERWORK, obj="enrolment")),
    ),
    "agreement-pdf": api(
        ENROLMENT_READ, obj="agreement", stubs=("tuoguan.enrolment.api.paperwork.agreement_pdf",)
    ),
    "child-insurance": (
        api(ENROLMENT_READ, obj="child", kwarg="child_pk"),
        as_write(api(FAMILY_PAPERWORK, obj="child", kwarg="child_pk")),
    ),
    "pickup-list": (
        api(ANY_USER, hides="pickup", hides_detail="pickup-detail"),
        api(everyone(ALLOWED), method="POST", note="400: the child must be one's own"),
    ),
    "pickup-detail": (
        api(ENROLMENT_READ, obj="pickup"),
        as_write(api(FAMILY_PAPERWORK, obj="pickup"), method="PATCH"),
        as_write(api(FAMILY_PAPERWORK, obj="pickup"), method="PUT", data=_pickup_body),
        as_write(api(FAMILY_PAPERWORK, obj="pickup"), method="DELETE"),
    ),
    # --- API: programs ---------------------------------------------------------------------
    "program-list": (
        api(ANY_USER, hides="program", hides_detail="program-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "program-detail": (
        api(CLASS_READ, obj="program"),
        as_write(api(CLASS_MANAGE, obj="program"), method="PATCH"),
    ),
    "program-photos": as_write(api(CLASS_MANAGE, obj="program")),
    "venue-list": (
        api(ANY_USER, hides="venue", hides_detail="venue-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "venue-detail": (
        api(CLASS_READ, obj="venue"),
        as_write(api(CLASS_MANAGE, obj="venue"), method="PATCH"),
    ),
    "term-list": (
        api(ANY_USER, hides="term", hides_detail="term-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "term-detail": (
        api(CLASS_READ, obj="term"),
        as_write(api(CLASS_MANAGE, obj="term"), method="PATCH"),
    ),
    "term-submit": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-approve": as_write(api(TERM_APPROVE, obj="term")),
    "term-reject": as_write(api(TERM_APPROVE, obj="term")),
    "term-redraft": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-open-enrolment": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-start": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-close": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-rejudge": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-days": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-compliance": api(CLASS_READ, obj="term"),
    "group-list": (
        api(ANY_USER, hides="group", hides_detail="group-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "group-detail": (
        api(CLASS_READ, obj="group"),
        as_write(api(CLASS_MANAGE, obj="group"), method="PATCH"),
        as_write(api(CLASS_MANAGE, obj="group"), method="DELETE"),
    ),
    "standard-list": api(ANY_USER, hides="standard", hides_detail="standard-detail"),
    "standard-detail": api(outcomes(404, admins=200, caregiver=200, reviewer=200), obj="standard"),
    "standard-criteria": api(
        outcomes(404, admins=200, caregiver=200, reviewer=200), obj="standard"
    ),
    "evidence-list": (
        api(ANY_USER, hides="evidence", hides_detail="evidence-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "evidence-detail": api(CLASS_READ, obj="evidence"),
    "evidence-review": as_write(api(EVIDENCE_REVIEW, obj="evidence")),
    # --- API schema and docs: public on purpose ----------------------------------------------
    "api-schema": api(everyone(200), public=True),
    "api-docs": api(everyone(200), public=True),
}


def rules_for(name: str) -> tuple[Rule, ...]:
    rule = RULES[name]
    return rule if isinstance(rule, tuple) else (rule,)
