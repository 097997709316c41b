"""The fast path decides as the ORM does: `apply_facts` restates guardian consent, overlapping
terms and which terms a family may see in hand-written SQL; for any family, term, consent
and enrolment state, its facts and `enrolment_apply`'s answer equal those of the ORM rules
(`Child.has_consent`, `_other_enrolments`, `term_for_applicant`, `check_eligibility`).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tuoguan.accounts import services as people
from tuoguan.accounts.models import Child
from tuoguan.enrolment.fastpath import apply_facts, term_open_to
from tuoguan.enrolment.models import Enrolment, EnrolmentRules, EnrolmentStatus
from tuoguan.enrolment.selectors import term_for_applicant
from tuoguan.enrolment.services import EligibilityError, check_eligibility, enrolment_apply
from tuoguan.enrolment.services.eligibility import _other_enrolments
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import GrassrootsKind, Org
from tuoguan.programs import services as programs
from tuoguan.programs.models import Program, Venue
from tuoguan.programs.tests.factories import make_program, make_term, make_venue
from tuoguan.testing import Personas, build_personas

from .allocation_support import LEAD_DAYS, actor, family

TERM_DAYS = 20

# The other term's dates against the applied-for term [start, end].
RELATIONS = {
    "well_before": (-40, -20),
    "the_day_before": (-11, -1),
    "ends_on_its_first_day": (-10, 0),
    "overlapping": (5, TERM_DAYS + 10),
    "inside": (2, 8),
    "starts_on_its_last_day": (TERM_DAYS, TERM_DAYS + 10),
    "the_day_after": (TERM_DAYS + 1, TERM_DAYS + 11),
    "well_after": (TERM_DAYS + 30, TERM_DAYS + 40),
}
CONSENTS = (
    "none",
    "given",
    "withdrawn",
    "under_an_older_policy",
    "older_then_current",
    "withdrawn_then_given_again",
)
# Inside the host; in its county; in its city only; in another province.
EMPLOYERS = ("grassroots", "other_grassroots", "city_grassroots", "other_grassroots_far")
# No rules row; default rules; or the rules widen (or move) the employer scope.
SCOPES = ("no_rules", "default", "grassroots", "county", "city", "other_province")
TERM_STATES = ("draft", "approved", "enrolling", "enrolling")
# The host union: a grassroots union, or the county above it (whose subtree holds more).
HOSTS = ("grassroots", "county")
STATUSES = tuple(EnrolmentStatus)


@dataclass(frozen=True)
class State:
    host: str
    employer: str
    verified: bool
    consent: str
    scope: str
    one_period_per_season: bool
    term_state: str
    # (relation to the applied-for term, or "same_term"; status) of the child's other rows.
    others: tuple[tuple[str, EnrolmentStatus], ...]


states = st.builds(
    State,
    host=st.sampled_from(HOSTS),
    employer=st.sampled_from(EMPLOYERS),
    verified=st.booleans(),
    consent=st.sampled_from(CONSENTS),
    scope=st.sampled_from(SCOPES),
    one_period_per_season=st.booleans(),
    term_state=st.sampled_from(TERM_STATES),
    others=st.lists(
        st.tuples(st.sampled_from(["same_term", *RELATIONS]), st.sampled_from(STATUSES)),
        max_size=3,
        unique_by=lambda other: other[0],
    ).map(tuple),
)


def _plain(**changes: Any) -> State:
    """An eligible family and an enrolling term, but for `changes`."""
    fields: dict[str, Any] = {
        "host": "grassroots",
        "employer": "grassroots",
        "verified": True,
        "consent": "given",
        "scope": "default",
        "one_period_per_season": False,
        "term_state": "enrolling",
        "others": (),
        **changes,
    }
    return State(**fields)


W = EnrolmentStatus.WAITLISTED
# The edges each rule turns on, tried on every run besides the generated states.
EDGES = (
    _plain(consent="withdrawn"),
    _plain(consent="under_an_older_policy"),
    _plain(consent="withdrawn_then_given_again"),
    _plain(others=(("starts_on_its_last_day", W),)),
    _plain(others=(("ends_on_its_first_day", EnrolmentStatus.ADMITTED),)),
    _plain(others=(("the_day_after", W), ("the_day_before", W))),
    _plain(others=(("same_term", EnrolmentStatus.WITHDRAWN), ("overlapping", W))),
    _plain(others=(("same_term", W),)),
    _plain(employer="other_grassroots"),
    _plain(employer="other_grassroots", host="county"),
    _plain(employer="city_grassroots", scope="city"),
    _plain(employer="city_grassroots", scope="county"),
    _plain(employer="other_grassroots_far", scope="other_province"),
    _plain(employer="other_grassroots_far", scope="no_rules"),
)


def _with_edges(test: Any) -> Any:
    for edge in EDGES:
        test = example(edge)(test)
    return test


class _RolledBack(Exception):
    pass


def _outcome(call: Any) -> tuple[Any, ...]:
    """What a parent is told: not found, refused (with the rules' codes) or applied."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        return ("applied",)
    except Http404:
        return ("not_found",)
    except EligibilityError as error:
        return ("refused", [r.code for r in error.refusals])
    except ValidationError as error:
        return ("invalid", error.messages)


class FastPathDecidesAsTheOrmTest(HypothesisTestCase):
    p: Personas
    program_of: dict[str, Program]
    venue: Venue
    city_grassroots: Org

    @classmethod
    def setUpTestData(cls) -> None:
        # Built once: every example runs in its own savepoint on top of these rows.
        cls.p = build_personas()
        cls.program_of = {"grassroots": make_program(cls.p)}
        cls.program_of["county"] = make_program(cls.p, by=cls.p.city_admin, host=cls.p.county)
        cls.venue = make_venue(cls.p, by=cls.p.city_admin, owner=cls.p.county)
        other_county = orgs.org_create(
            actor=None, parent=cls.p.city, name="大连市甘井子区总工会", region_code="210211"
        )
        cls.city_grassroots = orgs.org_create(
            actor=None,
            parent=other_county,
            name="甘井子区第一中学工会",
            region_code="210211",
            kind=GrassrootsKind.SCHOOL,
        )

    def _org(self, name: str) -> Any:
        return self.city_grassroots if name == "city_grassroots" else getattr(self.p, name)

    def _term(self, state: State) -> Any:
        start = timezone.localdate() + datetime.timedelta(days=LEAD_DAYS)
        now = timezone.now()
        term = make_term(
            self.p,
            by=self.p.city_admin,
            program=self.program_of[state.host],
            venue=self.venue,
            start_date=start,
            end_date=start + datetime.timedelta(days=TERM_DAYS),
            enrol_opens_at=now - datetime.timedelta(hours=1),
            enrol_closes_at=now + datetime.timedelta(days=1),
        )
        admin = actor(self.p.city_admin)
        if state.term_state != "draft":
            term = programs.term_submit(actor=admin, term=term)
            term = programs.term_approve(
                actor=actor(self.p.city_admin), term=term, confirm_failures=True, note="test"
            )
        if state.term_state == "enrolling":
            term = programs.term_open_enrolment(actor=admin, term=term)
        if state.scope != "no_rules":
            scope = None if state.scope == "default" else self._org(state.scope)
            EnrolmentRules.objects.create(
                term=term,
                employer_scope=scope,
                one_period_per_season=state.one_period_per_season,
            )
        return term

    def _consent(self, state: State, user: Any, child: Child) -> None:
        who = actor(user)

        def grant() -> None:
            policy = people.consent_policy_current()
            assert policy is not None
            people.consent_grant(actor=who, child=child, policy=policy, ip="127.0.0.1")

        def new_policy() -> None:
            people.consent_policy_publish(
                version="2026.2", title="儿童个人信息处理规则", text="新版"
            )

        steps: dict[str, list[Callable[[], object]]] = {
            "none": [],
            "given": [grant],
            "withdrawn": [grant, lambda: people.consent_withdraw(actor=who, child=child)],
            "under_an_older_policy": [grant, new_policy],
            "older_then_current": [grant, new_policy, grant],
            "withdrawn_then_given_again": [
                grant,
                lambda: people.consent_withdraw(actor=who, child=child),
                grant,
            ],
        }
        for step in steps[state.consent]:
            step()

    def _others(self, state: State, term: Any, child: Child) -> None:
        for rank, (relation, status) in enumerate(state.others, start=1):
            other = term
            if relation != "same_term":
                first, last = RELATIONS[relation]
                other = make_term(
                    self.p,
                    by=self.p.city_admin,
                    program=term.program,
                    venue=self.venue,
                    name=relation,
                    start_date=term.start_date + datetime.timedelta(days=first),
                    end_date=term.start_date + datetime.timedelta(days=last),
                )
            Enrolment.objects.create(
                term=other,
                child=child,
                guardian=child.guardian,
                status=status,
                waitlist_rank=rank if status == EnrolmentStatus.WAITLISTED else None,
            )

    def _check(self, state: State) -> None:
        term = self._term(state)
        user, _worker, child = family(
            self.p,
            1,
            employer=self._org(state.employer),
            verified=state.verified,
            consent=False,
        )
        self._consent(state, user, child)
        self._others(state, term, child)
        who = actor(user)

        # The fast path first: the ORM's rules_for creates the rules row it may lack.
        facts = apply_facts(term_id=term.pk, child_id=child.pk)
        assert facts.child is not None
        fast_open = term_open_to(facts.term, facts.child.guardian)
        fast = _outcome(lambda: enrolment_apply(actor=who, child=child.pk, term=term.pk))

        orm_child = Child.objects.select_related("guardian__employer").get(pk=child.pk)
        orm_term = type(term).objects.select_related("program__host").get(pk=term.pk)
        self.assertEqual(facts.has_consent, orm_child.has_consent(), "consent")
        same_or_overlapping = _other_enrolments(
            orm_term, orm_child, EnrolmentRules(one_period_per_season=False)
        )
        self.assertEqual(facts.has_overlapping, bool(same_or_overlapping), "overlap")
        any_active = _other_enrolments(
            orm_term, orm_child, EnrolmentRules(one_period_per_season=True)
        )
        self.assertTrue(facts.has_other_active or not any_active, "other active")

        def orm_apply() -> None:
            visible = term_for_applicant(who, term.pk)
            refusals = check_eligibility(term=visible, child=orm_child, guardian=orm_child.guardian)
            if refusals:
                raise EligibilityError(refusals)

        self.assertEqual(
            fast_open,
            _outcome(lambda: term_for_applicant(who, term.pk)) != ("not_found",),
            "visible",
        )
        self.assertEqual(fast, _outcome(orm_apply))

    @settings(
        max_examples=40,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(states)
    @_with_edges
    def test_the_fast_path_refuses_and_admits_exactly_as_the_orm_rules(self, state: State) -> None:
        self._check(state)
