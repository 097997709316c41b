"""Rules for the core pages, the API root and the public API schema and docs."""

from .base import ANY_USER, OWNER_PROVINCE_ADMIN, Rule, api, everyone, page

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- core ---------------------------------------------------------------------------------
    "core:home": page(everyone(302), note="redirects each person to where their work starts"),
    "core:healthz": page(everyone(200), public=True),
    "core:job": page(OWNER_PROVINCE_ADMIN, obj="import_job"),
    # --- API root ------------------------------------------------------------------------------
    "api-root": api(ANY_USER),
    # --- API schema and docs: public on purpose ----------------------------------------------
    "api-schema": api(everyone(200), public=True),
    "api-docs": api(everyone(200), public=True),
}
