"""Rules for classes, venues, terms, compliance, standards and the work calendar."""

from .base import (
    ALLOWED,
    ANY_USER,
    NO_MEMBERSHIP,
    STAFF_READ_SUBTREE,
    UNION_ADMINS,
    Rule,
    api,
    as_write,
    form,
    outcomes,
    own_text,
    page,
)

# Classes, terms and venues: staff of the host's line read; the host's managers change them.
CLASS_READ = STAFF_READ_SUBTREE
CLASS_MANAGE = outcomes(404, admins=200, caregiver=403, reviewer=403)
CLASS_MANAGE_WRITE = outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403)
# Staff pages without an object: every membership; a parent (no membership) gets 403.
STAFF_ONLY = outcomes(200, parent=403, other_parent=403)
HOST_ROLE_PAGE = outcomes(403, admins=200, outsider=200)
# Approving and reviewing come from strictly above the host, never from the host itself.
TERM_APPROVE = outcomes(
    404, province_admin=200, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=403
)
# A province's standard: read by every staff member at and below it; only its admins change it.
STANDARD_READ = outcomes(404, admins=200, caregiver=200, reviewer=200, parent=403, other_parent=403)
# Evidence is reviewed by admins and reviewers strictly above the host.
EVIDENCE_REVIEW = outcomes(
    404, province_admin=200, city_admin=200, grassroots_admin=403, caregiver=403, reviewer=200
)
STANDARD_CHANGE = outcomes(
    404,
    province_admin=200,
    city_admin=403,
    grassroots_admin=403,
    caregiver=403,
    reviewer=403,
    parent=403,
    other_parent=403,
)
# Standards are kept from the province down to the county: not by grassroots unions.
STANDARD_CREATE = outcomes(403, province_admin=200, city_admin=200, outsider=200)
CALENDAR_CHANGE = outcomes(403, province_admin=ALLOWED, outsider=ALLOWED)

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- programs: classes and photos -------------------------------------------------------
    "programs:list": page(STAFF_ONLY, role_gate=True, hides_text=own_text("program", "name")),
    "programs:create": form(page(HOST_ROLE_PAGE, role_gate=True)),
    "programs:detail": page(CLASS_READ, obj="program"),
    "programs:edit": form(page(CLASS_MANAGE, obj="program")),
    "programs:photo_add": form(page(CLASS_MANAGE, obj="program")),
    "programs:photo": page(CLASS_READ, obj="program_photo"),
    "programs:photo_remove": page(CLASS_MANAGE_WRITE, method="POST", obj="program_photo"),
    # --- programs: venues -----------------------------------------------------------------
    "programs:venue_list": page(STAFF_ONLY, role_gate=True, hides_text=own_text("venue", "name")),
    "programs:venue_create": form(page(HOST_ROLE_PAGE, role_gate=True)),
    "programs:venue_detail": page(CLASS_READ, obj="venue"),
    "programs:venue_edit": form(page(CLASS_MANAGE, obj="venue")),
    "programs:venue_photo_add": form(page(CLASS_MANAGE, obj="venue")),
    "programs:venue_photo": page(CLASS_READ, obj="venue_photo"),
    "programs:venue_photo_remove": page(CLASS_MANAGE_WRITE, method="POST", obj="venue_photo"),
    # --- programs: terms, their lifecycle, groups and staff ----------------------------------
    "programs:term_create": form(page(CLASS_MANAGE, obj="program")),
    "programs:term_detail": page(CLASS_READ, obj="term"),
    "programs:term_edit": form(page(CLASS_MANAGE, obj="term")),
    "programs:term_day": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_submit": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_approve": form(page(TERM_APPROVE, obj="term")),
    "programs:term_reject": form(page(TERM_APPROVE, obj="term")),
    "programs:term_redraft": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_open_enrolment": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_start": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:term_close": form(page(CLASS_MANAGE, obj="term")),
    "programs:term_rejudge": page(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "programs:approvals": page(UNION_ADMINS, role_gate=True),
    "programs:group_create": form(page(CLASS_MANAGE, obj="term")),
    "programs:group_edit": form(page(CLASS_MANAGE, obj="group")),
    "programs:group_delete": page(CLASS_MANAGE_WRITE, method="POST", obj="group"),
    "programs:staff_add": form(page(CLASS_MANAGE, obj="term")),
    "programs:staff_remove": page(CLASS_MANAGE_WRITE, method="POST", obj="term_staff"),
    # --- programs: compliance and evidence ---------------------------------------------------
    "programs:term_compliance": page(CLASS_READ, obj="term"),
    "programs:evidence_upload": form(page(CLASS_MANAGE, obj="term")),
    "programs:evidence_review": form(page(EVIDENCE_REVIEW, obj="evidence")),
    "programs:evidence_file": page(CLASS_READ, obj="evidence"),
    "programs:evidence_queue": page(
        outcomes(403, admins=200, reviewer=200, outsider=200), role_gate=True
    ),
    "programs:compliance": page(
        outcomes(403, admins=200, reviewer=200, outsider=200), role_gate=True
    ),
    # --- programs: construction standards ----------------------------------------------------
    "programs:standard_list": page(STAFF_ONLY, role_gate=True),
    "programs:standard_create": form(page(STANDARD_CREATE, role_gate=True)),
    "programs:standard_detail": page(STANDARD_READ, obj="standard", role_gate=NO_MEMBERSHIP),
    "programs:standard_edit": form(page(STANDARD_CHANGE, obj="standard", role_gate=NO_MEMBERSHIP)),
    "programs:standard_new_version": form(
        page(
            outcomes(
                404,
                province_admin=200,
                city_admin=200,
                grassroots_admin=403,
                caregiver=403,
                reviewer=403,
                parent=403,
                other_parent=403,
            ),
            obj="standard",
            role_gate=NO_MEMBERSHIP,
            note="a union copies a standard it can read into a draft of its own",
        )
    ),
    "programs:standard_publish": as_write(
        page(STANDARD_CHANGE, obj="standard", role_gate=NO_MEMBERSHIP)
    ),
    "programs:criterion_add": form(page(STANDARD_CHANGE, obj="standard", role_gate=NO_MEMBERSHIP)),
    "programs:criterion_edit": form(
        page(STANDARD_CHANGE, obj="criterion", role_gate=NO_MEMBERSHIP)
    ),
    "programs:criterion_remove": as_write(
        page(STANDARD_CHANGE, obj="criterion", role_gate=NO_MEMBERSHIP)
    ),
    # --- programs: the national work calendar ------------------------------------------------
    "programs:calendar": page(STAFF_ONLY, role_gate=True),
    "programs:calendar_day": page(CALENDAR_CHANGE, method="POST"),
    "programs:calendar_announce": page(CALENDAR_CHANGE, method="POST"),
    # --- API: programs ---------------------------------------------------------------------
    "program-list": (
        api(ANY_USER, hides="program", hides_detail="program-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "program-detail": (
        api(CLASS_READ, obj="program"),
        as_write(api(CLASS_MANAGE, obj="program"), method="PATCH"),
    ),
    "program-photos": as_write(api(CLASS_MANAGE, obj="program")),
    "venue-list": (
        api(ANY_USER, hides="venue", hides_detail="venue-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "venue-detail": (
        api(CLASS_READ, obj="venue"),
        as_write(api(CLASS_MANAGE, obj="venue"), method="PATCH"),
    ),
    "term-list": (
        api(ANY_USER, hides="term", hides_detail="term-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "term-detail": (
        api(CLASS_READ, obj="term"),
        as_write(api(CLASS_MANAGE, obj="term"), method="PATCH"),
    ),
    "term-submit": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-approve": as_write(api(TERM_APPROVE, obj="term")),
    "term-reject": as_write(api(TERM_APPROVE, obj="term")),
    "term-redraft": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-open-enrolment": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-start": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-close": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-rejudge": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-days": api(CLASS_MANAGE_WRITE, method="POST", obj="term"),
    "term-compliance": api(CLASS_READ, obj="term"),
    "group-list": (
        api(ANY_USER, hides="group", hides_detail="group-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "group-detail": (
        api(CLASS_READ, obj="group"),
        as_write(api(CLASS_MANAGE, obj="group"), method="PATCH"),
        as_write(api(CLASS_MANAGE, obj="group"), method="DELETE"),
    ),
    "standard-list": api(ANY_USER, hides="standard", hides_detail="standard-detail"),
    "standard-detail": api(outcomes(404, admins=200, caregiver=200, reviewer=200), obj="standard"),
    "standard-criteria": api(
        outcomes(404, admins=200, caregiver=200, reviewer=200), obj="standard"
    ),
    "evidence-list": (
        api(ANY_USER, hides="evidence", hides_detail="evidence-detail"),
        as_write(api(HOST_ROLE_PAGE, role_gate=True)),
    ),
    "evidence-detail": api(CLASS_READ, obj="evidence"),
    "evidence-review": as_write(api(EVIDENCE_REVIEW, obj="evidence")),
}
