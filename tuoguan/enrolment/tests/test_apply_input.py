"""The quick reading of an application's body agrees with ApplySerializer wherever it answers."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tuoguan.enrolment.api.serializers import ApplySerializer
from tuoguan.enrolment.fastpath import apply_input
from tuoguan.programs.models import TargetGroup

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2**40),
    st.text(max_size=45),
    st.lists(st.sampled_from([*TargetGroup.values, "nobody", 3]), max_size=9),
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {"child": values},
        optional={"priority_groups": values, "sibling_key": values, "keep_together": values},
    ),
    values,
)


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_the_quick_reading_agrees_with_the_serializer(body: Any) -> None:
    quick = apply_input(body)
    if quick is None:
        return  # the serializer reads it, and explains what is wrong
    serializer = ApplySerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    assert quick == dict(serializer.validated_data)


def test_a_plain_body_is_read_quickly_and_anything_odd_is_left_to_the_serializer() -> None:
    assert apply_input({"child": 7}) == {
        "child": 7,
        "priority_groups": [],
        "sibling_key": "",
        "keep_together": False,
    }
    for odd in ({"child": "7"}, {"child": True}, {"child": 0}, {"child": 7, "sibling_key": " a"}):
        assert apply_input(odd) is None, odd
