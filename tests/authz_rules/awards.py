"""Rules for selection campaigns of demonstration classes and their entries.

Liaoning's campaign is the province's (Sichuan's the outsider's); the grassroots class has
entered it and waits at the county, so the city admin decides on its behalf. The province
runs the campaign but never recommends; the class's host (and the unions above it) withdraw.
"""

from .base import (
    ALLOWED,
    NO_MEMBERSHIP,
    STAFF_READ_SUBTREE,
    api,
    as_write,
    everyone,
    form,
    outcomes,
    own_text,
    page,
)

STAFF_ONLY = outcomes(200, parent=403, other_parent=403)
# Admins of a city, provincial or national union open campaigns; the others are refused.
CREATORS = outcomes(403, province_admin=200, city_admin=200, outsider=200)
# The organising union's admin runs the campaign; the rest of its line reads it.
ORGANISER = outcomes(
    404, province_admin=200, city_admin=403, grassroots_admin=403, caregiver=403, reviewer=403
)
ORGANISER_WRITE = as_write(page(ORGANISER)).expect
# The union holding the entry (here the city, for the county) decides on it.
DECIDER = outcomes(
    404, province_admin=403, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=403
)
DECIDER_WRITE = as_write(page(DECIDER)).expect
# The class's host and the unions above it enter the class and withdraw or add to its entry.
AT_CLASS = outcomes(404, admins=200, caregiver=403, reviewer=403)
AT_CLASS_WRITE = outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403)
# The reviewer assigned to the campaign (the province's) scores; the rest are refused.
SCORER = outcomes(
    404, province_admin=403, city_admin=403, grassroots_admin=403, caregiver=403, reviewer=200
)
# Another reviewer's scorecard: the organiser's admin reads it; the reviewer who has not
# scored the entry yet does not even learn it exists (independent scoring).
SCORECARD_READ = outcomes(404, province_admin=200)
# Entering needs a membership first: parents are refused before the campaign is looked up.
ENTERING = {**AT_CLASS, **dict.fromkeys(NO_MEMBERSHIP, 403)}


def _entry_name(world):
    return world.own["entry"].program.name


RULES = {
    "awards:campaign_list": page(
        STAFF_ONLY, role_gate=True, hides_text=own_text("campaign", "title")
    ),
    "awards:campaign_create": form(page(CREATORS, role_gate=True)),
    "awards:campaign_detail": page(STAFF_READ_SUBTREE, obj="campaign"),
    "awards:campaign_edit": form(page(ORGANISER, obj="campaign")),
    "awards:rubric_edit": form(page(ORGANISER, obj="campaign")),
    "awards:campaign_open": page(ORGANISER_WRITE, method="POST", obj="campaign"),
    "awards:condition_edit": form(page(ORGANISER, obj="condition")),
    "awards:entry_create": form(page(ENTERING, obj="campaign", role_gate=NO_MEMBERSHIP)),
    "awards:entries_to_decide": page(STAFF_ONLY, role_gate=True, hides_text=_entry_name),
    "awards:entry_detail": page(STAFF_READ_SUBTREE, obj="entry"),
    "awards:entry_decide": form(page(DECIDER, obj="entry")),
    "awards:entry_withdraw": page(AT_CLASS_WRITE, method="POST", obj="entry"),
    "awards:material_add": form(page(AT_CLASS, obj="entry")),
    "awards:material": page(STAFF_READ_SUBTREE, obj="entry_material"),
    # --- reviewers, scores, results -------------------------------------------------------------
    "awards:reviewer_add": form(page(ORGANISER, obj="campaign")),
    "awards:reviewer_remove": page(ORGANISER_WRITE, method="POST", obj="reviewer"),
    "awards:campaign_start_review": page(ORGANISER_WRITE, method="POST", obj="campaign"),
    # The organiser's admin reads the ranking; the reviewer sees the campaign but not it.
    "awards:campaign_results": page(ORGANISER, obj="campaign"),
    "awards:my_reviews": page(STAFF_ONLY, role_gate=True),
    # Only the assigned reviewer scores, once the campaign is under review.
    "awards:entry_score": form(page(SCORER, obj="entry_in_review")),
    # --- public notice, objections, designations ---------------------------------------------
    # The notice and the list of titles are public; anyone may object, with contact details.
    "awards:notice": page(everyone(200), obj="notice_campaign", public=True),
    "awards:objection_create": form(page(everyone(200), obj="notice_entry", public=True)),
    "awards:designation_list": page(everyone(200), public=True),
    "awards:campaign_publish_notice": page(ORGANISER_WRITE, method="POST", obj="campaign"),
    "awards:campaign_designate": page(ORGANISER_WRITE, method="POST", obj="campaign"),
    "awards:objection_list": page(ORGANISER, obj="notice_campaign"),
    "awards:objection_answer": form(page(ORGANISER, obj="objection")),
    # A title is revoked by the union that gave it; the class and the unions between read it.
    "awards:designation_revoke": form(page(ORGANISER, obj="designation")),
    # --- API ---------------------------------------------------------------------------------
    "campaign-list": (
        api(outcomes(200), hides="campaign", hides_detail="campaign-detail"),
        as_write(api(CREATORS, role_gate=True)),
    ),
    "campaign-detail": (
        api(STAFF_READ_SUBTREE, obj="campaign"),
        api(ORGANISER_WRITE, method="PATCH", obj="campaign"),
    ),
    "campaign-open": api(ORGANISER_WRITE, method="POST", obj="campaign"),
    "campaign-rubric": api(ORGANISER_WRITE, method="POST", obj="campaign"),
    "campaign-condition": api(
        ORGANISER_WRITE,
        method="POST",
        obj="condition",
        kwarg={"pk": "campaign_id", "kind": "kind"},
    ),
    "campaign-reviewers": api(ORGANISER_WRITE, method="POST", obj="campaign"),
    "campaign-start-review": api(ORGANISER_WRITE, method="POST", obj="campaign"),
    "campaign-results": api(ORGANISER, obj="campaign"),
    # Scorecards: the reviewer's own and, as the organiser's admin, all (a list otherwise empty).
    "scorecard-list": (
        api(outcomes(200), hides="scorecard", hides_detail="scorecard-detail"),
        as_write(api(outcomes(200))),
    ),
    "scorecard-detail": api(SCORECARD_READ, obj="scorecard"),
    "campaign-publish-notice": api(ORGANISER_WRITE, method="POST", obj="campaign"),
    "campaign-designate": api(ORGANISER_WRITE, method="POST", obj="campaign"),
    "designation-list": api(everyone(200), public=True),
    "designation-detail": api(everyone(200), obj="designation", public=True),
    "designation-revoke": api(ORGANISER_WRITE, method="POST", obj="designation"),
    # Objections: anyone lodges one (public, an empty body is refused 400); the organiser's
    # admins read and answer them, the rest of the line is refused, the outsider sees none.
    "objection-list": (
        api(outcomes(200), hides="objection", hides_detail="objection-detail"),
        as_write(api(everyone(200), public=True)),
    ),
    "objection-detail": api(ORGANISER, obj="objection"),
    "objection-answer": api(ORGANISER_WRITE, method="POST", obj="objection"),
    "entry-list": (
        api(outcomes(200), hides="entry", hides_detail="entry-detail"),
        as_write(api(outcomes(200))),
    ),
    "entry-detail": api(STAFF_READ_SUBTREE, obj="entry"),
    "entry-decide": api(DECIDER_WRITE, method="POST", obj="entry"),
    "entry-withdraw": api(AT_CLASS_WRITE, method="POST", obj="entry"),
    "entry-materials": api(AT_CLASS_WRITE, method="POST", obj="entry"),
}
