"""Pages of terms: create with groups, the term page and its care days, edit, groups, roster."""

import datetime

from django.urls import reverse

from tuoguan.programs import services
from tuoguan.programs.models import Group, GroupKind, Term, TermDay, TermStaff, TermStatus
from tuoguan.testing import PersonaTestCase

from .factories import actor, approved_term, make_group, make_program, make_term, make_venue
from .support import errors_of

D = datetime.date


def term_post(the_venue, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "2021年暑期",
        "start_date": "2021-07-12",
        "end_date": "2021-08-13",
        "daily_start": "08:00",
        "daily_end": "18:00",
        "venue": the_venue.pk if the_venue else "",
        "capacity": "40",
        "enrol_mode": "first_come",
        "groups-TOTAL_FORMS": "2",
        "groups-INITIAL_FORMS": "0",
        "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "20",
        "groups-0-name": "低年级组",
        "groups-0-capacity": "20",
        "groups-0-carers_planned": "1",
        "groups-0-grade_min": "1",
        "groups-0-grade_max": "3",
        "groups-1-name": "高年级组",
        "groups-1-capacity": "20",
        "groups-1-carers_planned": "1",
        "groups-1-grade_min": "4",
        "groups-1-grade_max": "6",
    }
    data.update(changes)
    return data


class TermCreatePageTest(PersonaTestCase):
    def setUp(self) -> None:
        self.program = make_program(self.p)
        self.venue = make_venue(self.p)
        self.url = reverse("programs:term_create", args=[self.program.pk])

    def post(self, **changes):  # type: ignore[no-untyped-def]
        return self.client_for(self.p.grassroots_admin).post(
            self.url, term_post(self.venue, **changes)
        )

    def test_a_holiday_term_is_created_with_two_groups_and_its_care_days(self) -> None:
        response = self.post()
        term = Term.objects.get()
        self.assertRedirects(response, reverse("programs:term_detail", args=[term.pk]))
        self.assertEqual(
            list(term.groups.values_list("name", "capacity")),
            [("低年级组", 20), ("高年级组", 20)],
        )
        self.assertEqual(term.care_day_count(), 25)
        self.assertEqual(term.status, TermStatus.DRAFT)

    def test_blank_group_rows_are_skipped(self) -> None:
        blank = {f"groups-1-{name}": "" for name in ("name", "capacity", "grade_min", "grade_max")}
        self.post(**blank, **{"groups-1-carers_planned": "1"})
        self.assertEqual(Term.objects.get().groups.count(), 1)

    def test_end_before_start_is_a_field_error_and_nothing_is_saved(self) -> None:
        response = self.post(end_date="2021-07-01")
        self.assertIn("end_date", errors_of(response))
        self.assertFalse(Term.objects.exists())

    def test_places_of_zero_or_less_are_refused(self) -> None:
        for capacity in ("0", "-1"):
            response = self.post(capacity=capacity)
            self.assertIn("capacity", errors_of(response))
        self.assertFalse(Term.objects.exists())

    def test_places_beyond_any_sensible_number_get_a_plain_limit(self) -> None:
        for capacity in ("10001", "3000000000"):
            with self.subTest(capacity):
                errors = errors_of(self.post(capacity=capacity))
                self.assertEqual(errors["capacity"], ["Places cannot exceed 10000."])
        errors = errors_of(self.post(capacity="99999999999"))
        self.assertNotIn("2147483647", str(errors))
        response = self.post(**{"groups-0-capacity": "20000"})
        self.assertIn(
            "Places cannot exceed 10000.", str(response.context["groups"].forms[0].errors)
        )
        self.assertFalse(Term.objects.exists())

    def test_groups_holding_more_than_the_term_save_nothing(self) -> None:
        response = self.post(capacity="30")
        self.assertEqual(response.status_code, 200)
        groups = response.context["groups"]
        self.assertIn("capacity", groups.forms[1].errors)
        self.assertIn("30", str(groups.forms[1].errors["capacity"]))
        self.assertFalse(Term.objects.exists())
        self.assertFalse(Group.objects.exists())

    def test_a_holiday_class_needs_a_venue(self) -> None:
        response = self.post(venue="")
        self.assertIn("venue", errors_of(response))
        self.assertFalse(Term.objects.exists())

    def test_a_venue_outside_the_subtree_is_not_a_choice(self) -> None:
        from .factories import make_venue as venue_of

        far = venue_of(self.p, by=self.p.outsider, owner=self.p.other_grassroots_far)
        response = self.post(venue=far.pk)
        self.assertIn("venue", errors_of(response))
        self.assertFalse(Term.objects.exists())

    def test_read_only_roles_get_403_and_the_outsider_404(self) -> None:
        for user in (self.p.caregiver, self.p.reviewer):
            self.assertEqual(self.client_for(user).get(self.url).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)
        self.assertEqual(self.client.get(self.url).status_code, 302)


class ToddlerTermTest(PersonaTestCase):
    def setUp(self) -> None:
        self.program = make_program(self.p, name="托育园", type="toddler")
        self.venue = make_venue(self.p)
        self.url = reverse("programs:term_create", args=[self.program.pk])

    def groups(self, *rows: tuple[str, str, str]) -> dict[str, str]:
        data = {"groups-TOTAL_FORMS": str(len(rows))}
        for n, (name, kind, capacity) in enumerate(rows):
            data.update(
                {
                    f"groups-{n}-name": name,
                    f"groups-{n}-kind": kind,
                    f"groups-{n}-capacity": capacity,
                }
            )
        return data

    def post(self, *rows: tuple[str, str, str]):  # type: ignore[no-untyped-def]
        data = term_post(self.venue, capacity="45", **self.groups(*rows))
        for n in range(2):
            for name in ("grade_min", "grade_max", "carers_planned"):
                data.pop(f"groups-{n}-{name}", None)
        return self.client_for(self.p.grassroots_admin).post(self.url, data)

    def test_an_infant_group_above_its_maximum_is_refused(self) -> None:
        response = self.post(("乳儿班", GroupKind.INFANT, "12"))
        self.assertIn("capacity", response.context["groups"].forms[0].errors)
        self.assertFalse(Term.objects.exists())

    def test_the_three_kinds_take_their_defaults(self) -> None:
        self.post(
            ("乳儿班", GroupKind.INFANT, ""),
            ("托小班", GroupKind.TODDLER_SMALL, ""),
            ("托大班", GroupKind.TODDLER_BIG, "20"),
        )
        groups = Term.objects.get().groups.order_by("pk")
        self.assertEqual(
            [(g.kind, g.capacity, g.carers_planned) for g in groups],
            [("infant", 10, 4), ("toddler_small", 15, 3), ("toddler_big", 20, 3)],
        )

    def test_a_pupils_group_is_not_offered_for_toddlers(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(self.url)
        kinds = [
            value for value, _label in response.context["groups"].forms[0].fields["kind"].choices
        ]
        self.assertNotIn(GroupKind.SCHOOL, kinds)


class TermPageTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        self.url = reverse("programs:term_detail", args=[self.term.pk])

    def test_it_shows_the_term_its_care_days_and_the_host_actions(self) -> None:
        page = self.client_for(self.p.grassroots_admin).get(self.url)
        self.assertContains(page, "25 care days")
        self.assertContains(page, reverse("programs:term_submit", args=[self.term.pk]))
        self.assertContains(page, reverse("programs:term_edit", args=[self.term.pk]))
        self.assertNotContains(page, reverse("programs:term_approve", args=[self.term.pk]))
        self.assertNotContains(page, "not announced")

    def test_a_caregiver_reads_it_without_actions(self) -> None:
        page = self.client_for(self.p.caregiver).get(self.url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, reverse("programs:term_submit", args=[self.term.pk]))
        self.assertNotContains(page, reverse("programs:term_day", args=[self.term.pk]))

    def test_outsider_and_parent_get_404(self) -> None:
        for user in (self.p.outsider, self.p.parent):
            self.assertEqual(self.client_for(user).get(self.url).status_code, 404)

    def test_a_term_in_an_unannounced_year_says_so(self) -> None:
        winter = make_term(
            self.p, name="2027年寒假", start_date=D(2027, 1, 18), end_date=D(2027, 2, 5)
        )
        page = self.client_for(self.p.grassroots_admin).get(
            reverse("programs:term_detail", args=[winter.pk])
        )
        self.assertContains(page, "calendar not announced")
        self.assertContains(page, "2027")

    def test_a_saturday_is_added_and_a_workday_removed_by_hand(self) -> None:
        url = reverse("programs:term_day", args=[self.term.pk])
        client = self.client_for(self.p.grassroots_admin)
        client.post(url, {"date": "2021-07-17", "action": "add"})
        response = client.post(
            url, {"date": "2021-07-12", "action": "remove"}, headers={"HX-Request": "true"}
        )
        self.assertTemplateUsed(response, "programs/_calendar.html")
        self.assertContains(response, "25 care days")
        self.assertContains(response, "by hand")
        saturday = TermDay.objects.get(term=self.term, date=D(2021, 7, 17))
        self.assertTrue(saturday.is_care_day)
        self.assertFalse(TermDay.objects.get(term=self.term, date=D(2021, 7, 12)).is_care_day)

    def test_a_day_outside_the_term_is_refused(self) -> None:
        url = reverse("programs:term_day", args=[self.term.pk])
        response = self.client_for(self.p.grassroots_admin).post(
            url, {"date": "2021-09-01", "action": "add"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, "within the term")
        self.assertFalse(TermDay.objects.filter(date=D(2021, 9, 1)).exists())

    def test_read_only_roles_cannot_change_days(self) -> None:
        url = reverse("programs:term_day", args=[self.term.pk])
        data = {"date": "2021-07-17", "action": "add"}
        self.assertEqual(self.client_for(self.p.caregiver).post(url, data).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).post(url, data).status_code, 404)
        self.assertFalse(TermDay.objects.get(term=self.term, date=D(2021, 7, 17)).is_care_day)


class TermEditPageTest(PersonaTestCase):
    def test_changing_places_after_approval_sends_it_back(self) -> None:
        term = approved_term(self.p)
        url = reverse("programs:term_edit", args=[term.pk])
        data = term_post(term.venue, capacity="35")
        response = self.client_for(self.p.grassroots_admin).post(url, data, follow=True)
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.SUBMITTED)
        self.assertEqual(term.capacity, 35)
        self.assertContains(response, "needs approval again")

    def test_bad_input_leaves_the_term_as_it_was(self) -> None:
        term = make_term(self.p)
        url = reverse("programs:term_edit", args=[term.pk])
        response = self.client_for(self.p.grassroots_admin).post(
            url, term_post(term.venue, end_date="2021-07-01", capacity="0")
        )
        self.assertIn("end_date", errors_of(response))
        self.assertIn("capacity", errors_of(response))
        term.refresh_from_db()
        self.assertEqual((term.end_date, term.capacity), (D(2021, 8, 13), 30))

    def test_read_only_roles_get_403(self) -> None:
        term = make_term(self.p)
        url = reverse("programs:term_edit", args=[term.pk])
        for user in (self.p.caregiver, self.p.reviewer):
            self.assertEqual(self.client_for(user).get(url).status_code, 403)


class GroupAndRosterPagesTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)

    def test_a_group_is_added_edited_and_removed(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        client.post(
            reverse("programs:group_create", args=[self.term.pk]),
            {"name": "一年级", "capacity": "15", "carers_planned": "1"},
        )
        group = Group.objects.get()
        client.post(
            reverse("programs:group_edit", args=[group.pk]),
            {"name": "一二年级", "capacity": "25", "carers_planned": "1"},
        )
        group.refresh_from_db()
        self.assertEqual((group.name, group.capacity), ("一二年级", 25))
        client.post(reverse("programs:group_delete", args=[group.pk]))
        self.assertFalse(Group.objects.exists())

    def test_a_group_beyond_the_term_places_is_a_field_error(self) -> None:
        make_group(self.p, self.term, capacity=20)
        response = self.client_for(self.p.grassroots_admin).post(
            reverse("programs:group_create", args=[self.term.pk]),
            {"name": "二组", "capacity": "15", "carers_planned": "1"},
        )
        self.assertIn("capacity", errors_of(response))
        self.assertEqual(Group.objects.count(), 1)

    def test_read_only_roles_cannot_touch_groups(self) -> None:
        group = make_group(self.p, self.term, capacity=10)
        for user, code in ((self.p.caregiver, 403), (self.p.outsider, 404)):
            client = self.client_for(user)
            self.assertEqual(
                client.post(reverse("programs:group_delete", args=[group.pk])).status_code, code
            )
            self.assertEqual(
                client.get(reverse("programs:group_create", args=[self.term.pk])).status_code,
                code,
            )
        self.assertTrue(Group.objects.exists())

    def test_staff_are_added_by_login_and_removed(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        url = reverse("programs:staff_add", args=[self.term.pk])
        response = client.post(url, {"login": "nobody", "role": "tutor"})
        self.assertIn("login", errors_of(response))
        client.post(url, {"login": self.p.caregiver.mobile, "role": "caregiver"})
        staff = TermStaff.objects.get()
        self.assertEqual(staff.user, self.p.caregiver)
        self.assertEqual(
            self.client_for(self.p.caregiver)
            .post(reverse("programs:staff_remove", args=[staff.pk]))
            .status_code,
            403,
        )
        client.post(reverse("programs:staff_remove", args=[staff.pk]))
        self.assertFalse(TermStaff.objects.exists())

    def test_staff_of_a_closed_term_cannot_change(self) -> None:
        term = approved_term(self.p)
        admin = actor(self.p.grassroots_admin)
        services.term_start(actor=admin, term=term)
        services.term_close(actor=admin, term=term, summary="顺利结营")
        response = self.client_for(self.p.grassroots_admin).post(
            reverse("programs:staff_add", args=[term.pk]),
            {"login": self.p.caregiver.username, "role": "tutor"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertFalse(TermStaff.objects.exists())
