"""Whether an entry meets its campaign's conditions, computed from live facts, never stored.

Each condition reads one fact of the term entered through the registry of
`programs.compliance` (enrolment, daily care and supervision register them), or the term's
care days from the programs calendar. A fact that no app provides yet, or that has no figure
for the term (no child admitted, no care day passed), is **not yet measured** and never
passes: the condition fails and says so. A failed veto condition (一票否决) removes the entry
whatever its score.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils.translation import gettext as _

from tuoguan.programs import compliance
from tuoguan.programs.models import Term

from .models import Condition, ConditionKind

# The fact each condition reads (care days come from the term's own calendar).
FACT_OF: dict[str, str] = {
    ConditionKind.CHILDREN: "enrolled_count",
    ConditionKind.ATTENDANCE: "attendance_rate",
    ConditionKind.PAPERWORK: "agreements_insurance",
    ConditionKind.INCIDENTS: "serious_incidents",
    ConditionKind.RECTIFICATIONS: "rectifications_open",
}


@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    figure: Decimal | None
    passed: bool

    @property
    def measured(self) -> bool:
        return self.figure is not None

    @property
    def vetoes(self) -> bool:
        return self.condition.is_veto and not self.passed

    @property
    def figure_text(self) -> str:
        if self.figure is None:
            return _("not yet measured")
        text = f"{self.figure.normalize():f}"
        return f"{text}%" if self.condition.kind in PERCENT_KINDS else text

    @property
    def reason(self) -> str:
        """One sentence: the condition, its bound and the figure found."""
        return _("%(condition)s %(bound)s: %(figure)s.") % {
            "condition": self.condition.get_kind_display(),
            "bound": self.condition.bound_text(),
            "figure": self.figure_text,
        }


PERCENT_KINDS = (ConditionKind.ATTENDANCE, ConditionKind.PAPERWORK)


@dataclass(frozen=True)
class Eligibility:
    results: list[ConditionResult]

    @property
    def failed(self) -> list[ConditionResult]:
        return [r for r in self.results if not r.passed]

    @property
    def vetoed(self) -> list[ConditionResult]:
        return [r for r in self.results if r.vetoes]

    @property
    def eligible(self) -> bool:
        """Scored and ranked unless a veto condition fails."""
        return not self.vetoed

    @property
    def meets_all(self) -> bool:
        return not self.failed

    @property
    def veto_reason(self) -> str:
        return " ".join(r.reason for r in self.vetoed)

    def figure(self, kind: str) -> Decimal | None:
        for result in self.results:
            if result.condition.kind == kind:
                return result.figure
        return None


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def figure_of(kind: str, term: Term) -> Decimal | None:
    """The term's figure for a condition, or None when it is not yet measured."""
    if kind == ConditionKind.CARE_DAYS:
        return Decimal(term.care_day_count())
    value: Any = compliance.fact(term, FACT_OF[kind])
    if value is None:
        return None
    if kind == ConditionKind.ATTENDANCE:
        rate = value.value
        return None if rate is None else Decimal(rate)
    if kind == ConditionKind.PAPERWORK:
        both, seated = value
        return _percent(both, seated) if seated else None
    return Decimal(int(value))


def _judge(condition: Condition, figure: Decimal | None) -> ConditionResult:
    if figure is None:
        return ConditionResult(condition, None, False)
    passed = figure >= condition.threshold if condition.at_least else figure <= condition.threshold
    return ConditionResult(condition, figure, passed)


def terms_eligibility(
    conditions: Sequence[Condition], terms: Sequence[Term]
) -> dict[int, Eligibility]:
    """{term pk: Eligibility}, the facts of all terms loaded in one batch per fact."""
    compliance.prime_facts(list(terms))
    return {
        term.pk: Eligibility([_judge(c, figure_of(c.kind, term)) for c in conditions])
        for term in terms
    }


def term_eligibility(conditions: Sequence[Condition], term: Term) -> Eligibility:
    return terms_eligibility(conditions, [term])[term.pk]
