"""The helpers every app's rules are written with, and the outcome sets several apps share.

How to read and write a rule: see the docstring of tests/authz_rules/__init__.py.
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


def own_text(kind: str, attribute: str) -> Callable[[Any], str]:
    """A text of the own side's object of `kind`, for `hides_text`."""
    return lambda world: str(getattr(world.own[kind], attribute))


# --- Outcome sets shared by several apps --------------------------------------------------------

# Pages of one's own family, worker profile or inbox: everyone logged in reaches them.
ANY_USER = everyone(200)
STAFF_READ_SUBTREE = outcomes(404, admins=200, caregiver=200, reviewer=200)
UNION_ADMINS = outcomes(403, admins=200, outsider=200)
# One person's own thing (token, notification, job): the owner only.
OWNER_PARENT = outcomes(404, parent=200)
OWNER_PROVINCE_ADMIN = outcomes(404, province_admin=200)
