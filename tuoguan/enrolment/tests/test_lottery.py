"""The pure lottery: properties that hold for any inputs and seed (Hypothesis)."""

import random
from collections import Counter, defaultdict

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoguan.enrolment.services.lottery import (
    Applicant,
    DrawInputs,
    DrawOutcome,
    assign_groups,
    canonical_digest,
    draw,
    outcome_differences,
)

GROUP_IDS = (101, 102, 103)


@st.composite
def draw_inputs(draw_: st.DrawFn) -> DrawInputs:
    group_ids = GROUP_IDS[: draw_(st.integers(0, 3))]
    groups = tuple((gid, draw_(st.integers(0, 6))) for gid in group_ids)
    ids = draw_(st.lists(st.integers(1, 5000), max_size=40, unique=True))
    applicants = []
    for pk in ids:
        options = draw_(st.lists(st.sampled_from(group_ids), unique=True)) if group_ids else []
        applicants.append(
            Applicant(
                id=pk,
                tier=draw_(st.integers(0, 2)),
                groups=tuple(options),
                sibling_set=draw_(st.sampled_from(["", "", "", "", "s1", "s2", "s3"])),
            )
        )
    return DrawInputs(seats=draw_(st.integers(0, 20)), applicants=tuple(applicants), groups=groups)


seeds = st.text(min_size=1, max_size=64)


def unit_of(inputs: DrawInputs) -> dict[int, tuple[int, ...]]:
    sets: dict[str, list[int]] = defaultdict(list)
    for a in inputs.applicants:
        if a.sibling_set:
            sets[a.sibling_set].append(a.id)
    return {
        a.id: tuple(sets[a.sibling_set]) if a.sibling_set else (a.id,) for a in inputs.applicants
    }


@settings(max_examples=150, deadline=None)
@given(draw_inputs(), seeds)
def test_the_same_inputs_and_seed_give_the_same_outcome_whatever_the_input_order(
    inputs: DrawInputs, seed: str
) -> None:
    shuffled = list(inputs.applicants)
    random.Random(7).shuffle(shuffled)
    again = DrawInputs(seats=inputs.seats, applicants=tuple(shuffled), groups=inputs.groups)
    assert draw(inputs, seed) == draw(again, seed)
    assert DrawInputs.from_json(inputs.to_json()) == inputs


@settings(max_examples=150, deadline=None)
@given(draw_inputs(), seeds)
def test_every_applicant_ends_admitted_or_waitlisted_exactly_once(
    inputs: DrawInputs, seed: str
) -> None:
    outcome = draw(inputs, seed)
    ids = sorted(a.id for a in inputs.applicants)
    admitted = [pk for pk, _group in outcome.admitted]
    assert sorted(outcome.order) == ids
    assert sorted(admitted + list(outcome.waitlist)) == ids
    assert not set(admitted) & set(outcome.waitlist)
    # The waitlist keeps the draw order.
    waiting = set(outcome.waitlist)
    assert list(outcome.waitlist) == [pk for pk in outcome.order if pk in waiting]


@settings(max_examples=150, deadline=None)
@given(draw_inputs(), seeds)
def test_no_capacity_is_ever_exceeded(inputs: DrawInputs, seed: str) -> None:
    outcome = draw(inputs, seed)
    assert len(outcome.admitted) <= inputs.seats
    options = {a.id: a.groups for a in inputs.applicants}
    per_group = Counter(group for _pk, group in outcome.admitted)
    for gid, capacity in inputs.groups:
        assert per_group[gid] <= capacity
    for pk, group in outcome.admitted:
        if inputs.groups:
            assert group in options[pk], "admitted into a group the child does not fit"
        else:
            assert group is None


@settings(max_examples=200, deadline=None)
@given(draw_inputs(), seeds)
def test_no_lower_tier_is_admitted_where_a_waitlisted_higher_tier_single_would_fit(
    inputs: DrawInputs, seed: str
) -> None:
    outcome = draw(inputs, seed)
    units = unit_of(inputs)
    tier = {a.id: a.tier for a in inputs.applicants}
    unit_tier = {pk: min(tier[m] for m in members) for pk, members in units.items()}
    options = {a.id: set(a.groups) for a in inputs.applicants}
    position = {pk: n for n, pk in enumerate(outcome.order)}
    for waiting in outcome.waitlist:
        if len(units[waiting]) > 1:
            continue  # a sibling set that did not fit may be passed by smaller units
        for pk, group in outcome.admitted:
            later = position[pk] > position[waiting]
            lower_tier = unit_tier[pk] > tier[waiting]
            if inputs.groups:
                assert not (lower_tier and group in options[waiting])
                assert not (later and group in options[waiting])
            else:
                assert not lower_tier
                assert not later


@settings(max_examples=150, deadline=None)
@given(draw_inputs(), seeds)
def test_siblings_asked_to_stay_together_share_their_fate_and_their_draw_slot(
    inputs: DrawInputs, seed: str
) -> None:
    outcome = draw(inputs, seed)
    admitted = {pk for pk, _group in outcome.admitted}
    for members in set(unit_of(inputs).values()):
        fates = {pk in admitted for pk in members}
        assert len(fates) == 1
        slots = sorted(outcome.order.index(pk) for pk in members)
        assert slots == list(range(slots[0], slots[0] + len(members)))


@settings(max_examples=200, deadline=None)
@given(draw_inputs())
def test_tiers_are_served_in_order(inputs: DrawInputs) -> None:
    outcome = draw(inputs, "tiers")
    units = unit_of(inputs)
    tier = {a.id: a.tier for a in inputs.applicants}
    unit_tiers = [min(tier[m] for m in units[pk]) for pk in outcome.order]
    assert unit_tiers == sorted(unit_tiers)


def test_a_known_draw_stays_the_same_across_versions() -> None:
    """Pinned: a change of the algorithm would make published draws unverifiable."""
    inputs = DrawInputs(
        seats=3,
        applicants=tuple(Applicant(id=pk, tier=1 if pk > 4 else 0) for pk in range(1, 9)),
    )
    outcome = draw(inputs, "江门2024公证抽签")
    assert outcome == draw(inputs, "江门2024公证抽签")
    assert set(outcome.order[:4]) == {1, 2, 3, 4}
    assert outcome.to_json() == PINNED


def test_a_different_seed_gives_a_different_order() -> None:
    inputs = DrawInputs(seats=5, applicants=tuple(Applicant(id=pk) for pk in range(1, 40)))
    assert draw(inputs, "a").order != draw(inputs, "b").order


def test_a_sibling_set_is_placed_in_groups_that_fit_each_member() -> None:
    assert assign_groups([[1, 2], [1]], {1: 1, 2: 1}) == [2, 1]
    assert assign_groups([[1], [1]], {1: 1}) is None
    assert assign_groups([[1, 2]], {1: 0, 2: 1}) == [2]


def test_a_unit_that_does_not_fit_lets_the_next_one_in() -> None:
    inputs = DrawInputs(
        seats=1,
        applicants=(
            Applicant(id=1, sibling_set="s1"),
            Applicant(id=2, sibling_set="s1"),
            Applicant(id=3, tier=1),
        ),
    )
    outcome = draw(inputs, "x")
    assert outcome.admitted == ((3, None),)
    assert outcome.waitlist == (1, 2)


def test_the_digest_is_of_the_canonical_json() -> None:
    inputs = DrawInputs(seats=1, applicants=(Applicant(id=1),))
    assert inputs.digest() == canonical_digest(inputs.to_json())
    assert len(inputs.digest()) == 64


def test_a_tampered_outcome_is_described() -> None:
    inputs = DrawInputs(seats=1, applicants=(Applicant(id=1), Applicant(id=2)))
    outcome = draw(inputs, "seed")
    forged = DrawOutcome(
        order=outcome.order,
        admitted=((outcome.waitlist[0], None),),
        waitlist=(outcome.admitted[0][0],),
    )
    with translation.override("en"):
        problems = outcome_differences(outcome, forged.to_json())
    assert any("admitted" in p for p in problems)
    assert outcome_differences(outcome, outcome.to_json()) == []


PINNED = {
    "order": [4, 1, 3, 2, 7, 5, 6, 8],
    "admitted": [[4, None], [1, None], [3, None]],
    "waitlist": [2, 7, 5, 6, 8],
}
