"""Rules for the audit log pages."""

from .base import UNION_ADMINS, Rule, outcomes, page

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- audit ---------------------------------------------------------------------------------
    "audit:log": page(UNION_ADMINS),
    "audit:entry": page(outcomes(403, admins=200, outsider=404), obj="audit_entry", role_gate=True),
}
