"""Who may reach every URL of the project: the declared rules of the authorisation matrix.

tests/test_authorization_matrix.py walks the URL configuration and probes every named
pattern, for every persona of `tuoguan.testing.build_personas()`, on an object inside
the Liaoning subtree ("own") and on the same kind of object in Sichuan ("foreign"; the
objects are built in tests/conftest.py). A pattern without a rule here fails the suite.

To declare a new URL, add an entry to `RULES` in the module of its app in this package
(tests/authz_rules/programs.py, enrolment.py, care.py, accounts.py, orgs.py, notifications.py,
audit.py, supervision.py, awards.py, funds.py;
core.py for the core pages and the API root, schema and docs), keyed by its fully qualified
name ("programs:term_detail", or "term-detail" for a DRF route), in the section it belongs to;
the helpers below, and the outcome sets several apps share, come from base.py:

    "programs:term_detail": page(
        outcomes(404, admins=200, caregiver=200, reviewer=200), obj="term"
    ),

* `outcomes(default, **persona)` gives the status each logged-in persona gets on the OWN
  object (or, without `obj`, on the URL itself); `admins=` sets the three Liaoning union
  admins at once. Use 200/302/… for GET probes and ALLOWED for writes (the probe posts an
  empty body, so 200, 302, 400 or 405 all mean "let through"; a refusal must be exactly the
  declared 403 or 404).
* `obj` names the object kind whose pk fills the URL's `kwarg` (see World in tests/authz_world.py;
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

from . import (
    accounts,
    audit,
    awards,
    care,
    core,
    enrolment,
    funds,
    notifications,
    orgs,
    programs,
    supervision,
)
from .base import ALLOWED, API_DENIED, DENIALS, LOGIN, PERSONAS, Outcome, Rule

__all__ = [
    "ALLOWED",
    "API_DENIED",
    "DENIALS",
    "LOGIN",
    "PERSONAS",
    "RULES",
    "Outcome",
    "Rule",
    "rules_for",
]

APPS = (
    core, accounts, orgs, audit, notifications, enrolment, programs, care, supervision, awards,
    funds,
)  # fmt: skip


def _assemble() -> dict[str, Rule | tuple[Rule, ...]]:
    # Merging would let one app's rule silently replace another's: refuse a name declared twice.
    rules: dict[str, Rule | tuple[Rule, ...]] = {}
    for app in APPS:
        twice = sorted(rules.keys() & app.RULES.keys())
        if twice:
            raise ValueError(f"{app.__name__} declares rules already declared elsewhere: {twice}")
        rules.update(app.RULES)
    return rules


RULES = _assemble()


def rules_for(name: str) -> tuple[Rule, ...]:
    rule = RULES[name]
    return rule if isinstance(rule, tuple) else (rule,)
