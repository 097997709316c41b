"""Rules for enrolment: surveys, lottery draws, the family's and the union's pages, paperwork."""

from typing import Any

from .base import (
    ALLOWED,
    ANY_USER,
    OWNER_PROVINCE_ADMIN,
    UNION_ADMINS,
    Rule,
    api,
    as_write,
    everyone,
    form,
    outcomes,
    own_text,
    page,
)

# A survey of the grassroots union: its admins manage, reviewers read, the family answers.
SURVEY_STAFF_READ = outcomes(404, admins=200, reviewer=200)
SURVEY_CHANGE = outcomes(404, admins=ALLOWED, reviewer=403)
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


def _pickup_body(world: Any, pickup: Any) -> dict[str, Any]:
    """A complete PUT body, so that the probe reaches the permission check."""
    return {
        "child": pickup.child_id,
        "name": pickup.name,
        "relation": pickup.relation,
        "mobile": pickup.mobile,
    }


RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- enrolment: needs surveys ----------------------------------------------------------
    "enrolment:survey_list": page(
        outcomes(403, admins=200, reviewer=200, outsider=200),
        hides_text=own_text("survey", "title"),
    ),
    "enrolment:survey_create": form(page(UNION_ADMINS, role_gate=True)),
    "enrolment:survey_detail": page(SURVEY_STAFF_READ, obj="survey"),
    "enrolment:survey_publish": page(SURVEY_CHANGE, method="POST", obj="survey"),
    "enrolment:survey_close": page(SURVEY_CHANGE, method="POST", obj="survey"),
    "enrolment:survey_export": page(SURVEY_STAFF_READ, obj="survey"),
    "enrolment:survey_answer": form(page(outcomes(404, parent=200), obj="survey")),
    "enrolment:my_surveys": page(ANY_USER, hides_text=own_text("survey", "title")),
    # --- enrolment: lottery draws --------------------------------------------------------
    "enrolment:draw_public": page(
        everyone(200),
        obj="draw",
        public=True,
        note="public on purpose: anyone may check a lottery; it shows no personal data",
    ),
    "enrolment:draw_inputs": page(
        everyone(200), obj="draw", public=True, note="the anonymised inputs of a public draw"
    ),
    "enrolment:draw_result": page(
        everyone(200), obj="draw", public=True, note="the outcome of a public draw"
    ),
    "enrolment:draw_verifier": page(
        everyone(200), public=True, note="the stand-alone verification script"
    ),
    # --- enrolment: the parent's pages ---------------------------------------------------------
    "enrolment:terms_open": page(ANY_USER, hides_text=own_text("program", "name")),
    "enrolment:apply": form(
        page(
            outcomes(404, parent=200),
            obj="term",
            kwarg="term_pk",
            note="terms of unions outside the family's employer chain are a 404",
        )
    ),
    "enrolment:my_enrolments": page(ANY_USER, hides_text=own_text("program", "name")),
    "enrolment:detail": page(outcomes(404, parent=200), obj="enrolment"),
    "enrolment:offer_accept": page(outcomes(404, parent=ALLOWED), method="POST", obj="enrolment"),
    "enrolment:offer_decline": page(outcomes(404, parent=ALLOWED), method="POST", obj="enrolment"),
    "enrolment:withdraw": form(page(outcomes(404, parent=200), obj="enrolment")),
    # --- enrolment: the union's rosters ---------------------------------------------------------
    "enrolment:roster_terms": page(
        outcomes(403, admins=200, caregiver=200, reviewer=200, outsider=200),
        hides_text=own_text("program", "name"),
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
    "enrolment:insurance_edit": form(page(FAMILY_PAPERWORK, obj="insurance")),
    "enrolment:insurance_withdraw": as_write(page(FAMILY_PAPERWORK, obj="insurance")),
    "enrolment:insurance_accept": page(ENROLMENT_HOST_ACTION, method="POST", obj="insurance"),
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
    "draw-detail": api(
        everyone(200),
        obj="draw",
        public=True,
        note="public on purpose, like the draw's page: a draw holds no personal data",
    ),
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
    "insurance-detail": (
        api(ENROLMENT_READ, obj="insurance"),
        as_write(api(FAMILY_PAPERWORK, obj="insurance"), method="PATCH"),
        as_write(api(FAMILY_PAPERWORK, obj="insurance"), method="DELETE"),
    ),
    "insurance-accept": api(ENROLMENT_HOST_ACTION, method="POST", obj="insurance"),
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
}
