import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from tuoguan.programs import services
from tuoguan.programs.models import Group, GroupKind, Program, Term, TermDay, Venue
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_group, make_program, make_term, make_venue

D = datetime.date


class TermInputTest(PersonaTestCase):
    def _refused(self, field: str, **fields: object) -> None:
        program = make_program(self.p)
        venue = make_venue(self.p)
        before = (Term.objects.count(), TermDay.objects.count())
        data = {
            "name": "暑期",
            "start_date": D(2021, 7, 12),
            "end_date": D(2021, 8, 13),
            "capacity": 30,
            "venue": venue,
            **fields,
        }
        with self.assertRaises(ValidationError) as caught:
            services.term_create(actor=actor(self.p.grassroots_admin), program=program, **data)
        self.assertIn(field, caught.exception.message_dict)
        self.assertEqual((Term.objects.count(), TermDay.objects.count()), before)

    def test_end_before_start_is_refused_at_the_last_day(self) -> None:
        self._refused("end_date", end_date=D(2021, 7, 1))

    def test_zero_capacity_is_refused(self) -> None:
        self._refused("capacity", capacity=0)

    def test_negative_capacity_is_refused(self) -> None:
        self._refused("capacity", capacity=-5)

    def test_a_day_ending_before_it_starts_is_refused(self) -> None:
        self._refused("daily_end", daily_start=datetime.time(18, 0), daily_end=datetime.time(8, 0))

    def test_a_grade_outside_one_to_six_is_refused(self) -> None:
        self._refused("grade_max", grade_min=1, grade_max=7)

    def test_a_term_of_several_years_is_refused(self) -> None:
        self._refused("end_date", end_date=D(2024, 8, 13))

    def test_an_on_site_class_needs_a_venue(self) -> None:
        self._refused("venue", venue=None)

    def test_a_venue_of_another_province_is_refused(self) -> None:
        far = make_venue(self.p, by=self.p.outsider, owner=self.p.other_province)
        self._refused("venue", venue=far)

    def test_an_online_class_needs_no_venue(self) -> None:
        program = make_program(self.p, type="online", name="加油少年群")
        term = make_term(self.p, program=program)
        self.assertIsNone(term.venue)

    def test_the_term_carries_its_province(self) -> None:
        self.assertEqual(make_term(self.p).province, self.p.province)

    def test_a_caregiver_cannot_create_a_term(self) -> None:
        program = make_program(self.p)
        with self.assertRaises(PermissionDenied):
            services.term_create(
                actor=actor(self.p.caregiver),
                program=program,
                name="x",
                start_date=D(2021, 7, 1),
                end_date=D(2021, 7, 2),
                capacity=5,
            )


class GroupTest(PersonaTestCase):
    def test_group_capacities_beyond_the_term_are_refused(self) -> None:
        term = make_term(self.p, capacity=30)
        make_group(self.p, term, name="低年级", capacity=20)
        with self.assertRaises(ValidationError) as caught:
            make_group(self.p, term, name="高年级", capacity=11)
        self.assertIn("capacity", caught.exception.message_dict)
        self.assertEqual(Group.objects.filter(term=term).count(), 1)

    def test_groups_exactly_filling_the_term_are_fine(self) -> None:
        term = make_term(self.p, capacity=30)
        make_group(self.p, term, name="低年级", capacity=20)
        make_group(self.p, term, name="高年级", capacity=10)
        self.assertEqual(term.groups_capacity(), 30)

    def test_lowering_term_capacity_below_its_groups_is_refused(self) -> None:
        term = make_term(self.p, capacity=30)
        make_group(self.p, term, capacity=25)
        with self.assertRaises(ValidationError) as caught:
            services.term_update(actor=actor(self.p.grassroots_admin), term=term, capacity=20)
        self.assertIn("capacity", caught.exception.message_dict)
        self.assertEqual(Term.objects.get(pk=term.pk).capacity, 30)

    def test_a_toddler_group_above_its_kinds_maximum_is_refused(self) -> None:
        program = make_program(self.p, type="toddler", name="职工托育园")
        term = make_term(self.p, program=program, capacity=60)
        for kind, maximum in (("infant", 10), ("toddler_small", 15), ("toddler_big", 20)):
            with self.assertRaises(ValidationError) as caught:
                make_group(self.p, term, name=kind, kind=kind, capacity=maximum + 1)
            self.assertIn("capacity", caught.exception.message_dict)
        self.assertFalse(Group.objects.filter(term=term).exists())

    def test_toddler_groups_default_from_the_national_rules(self) -> None:
        program = make_program(self.p, type="toddler", name="职工托育园")
        term = make_term(self.p, program=program, capacity=63)
        infant = make_group(self.p, term, name="乳儿班", kind=GroupKind.INFANT)
        small = make_group(self.p, term, name="托小班", kind=GroupKind.TODDLER_SMALL)
        mixed = make_group(self.p, term, name="混龄班", kind=GroupKind.MIXED)
        self.assertEqual((infant.capacity, infant.carers_planned), (10, 4))
        self.assertEqual((small.capacity, small.carers_planned), (15, 3))
        self.assertEqual((mixed.capacity, mixed.carers_planned), (18, 4))
        self.assertEqual((infant.min_age_months, infant.max_age_months), (6, 12))
        self.assertEqual(mixed.children_per_carer(), Decimal(5))

    def test_only_toddler_classes_have_toddler_groups(self) -> None:
        term = make_term(self.p)
        with self.assertRaises(ValidationError) as caught:
            make_group(self.p, term, kind=GroupKind.INFANT, capacity=5)
        self.assertIn("kind", caught.exception.message_dict)

    def test_a_toddler_class_needs_a_toddler_kind(self) -> None:
        program = make_program(self.p, type="toddler", name="职工托育园")
        term = make_term(self.p, program=program, capacity=20)
        with self.assertRaises(ValidationError) as caught:
            make_group(self.p, term, capacity=5)
        self.assertIn("kind", caught.exception.message_dict)

    def test_the_class_type_cannot_change_under_its_toddler_groups(self) -> None:
        program = make_program(self.p, type="toddler", name="职工托育园")
        term = make_term(self.p, program=program, capacity=20)
        make_group(self.p, term, kind=GroupKind.INFANT)
        with self.assertRaises(ValidationError) as caught:
            services.program_update(
                actor=actor(self.p.grassroots_admin), program=program, type="holiday"
            )
        self.assertIn("type", caught.exception.message_dict)
        self.assertEqual(Program.objects.get(pk=program.pk).type, "toddler")


class StaffTest(PersonaTestCase):
    def test_staff_join_a_group_of_their_own_term_only(self) -> None:
        term = make_term(self.p)
        other = make_term(self.p, name="另一期")
        group = make_group(self.p, other)
        with self.assertRaises(ValidationError) as caught:
            services.term_staff_add(
                actor=actor(self.p.grassroots_admin),
                term=term,
                user=self.p.caregiver,
                role="caregiver",
                group=group,
            )
        self.assertIn("group", caught.exception.message_dict)

    def test_adding_the_same_person_twice_keeps_one_row(self) -> None:
        term = make_term(self.p)
        admin = actor(self.p.grassroots_admin)
        services.term_staff_add(actor=admin, term=term, user=self.p.caregiver, role="caregiver")
        services.term_staff_add(actor=admin, term=term, user=self.p.caregiver, role="caregiver")
        self.assertEqual(term.staff.count(), 1)


class VenueAndProgramInputTest(PersonaTestCase):
    def _venue_refused(self, field: str, **fields: object) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_venue(self.p, **fields)
        self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Venue.objects.exists())

    def test_zero_indoor_area_is_refused(self) -> None:
        self._venue_refused("indoor_area_m2", indoor_area_m2=Decimal("0"))

    def test_negative_indoor_area_is_refused(self) -> None:
        self._venue_refused("indoor_area_m2", indoor_area_m2=Decimal("-10"))

    def test_negative_outdoor_area_is_refused(self) -> None:
        self._venue_refused("outdoor_area_m2", outdoor_area_m2=Decimal("-1"))

    def test_a_fee_needs_its_amount(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_program(self.p, fee_policy="living_costs")
        self.assertIn("fee_amount", caught.exception.message_dict)
        self.assertFalse(Program.objects.exists())

    def test_a_negative_fee_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_program(self.p, fee_policy="fee", fee_amount=Decimal("-1"))
        self.assertIn("fee_amount", caught.exception.message_dict)

    def test_a_free_class_keeps_no_amount(self) -> None:
        program = make_program(self.p, fee_policy="free", fee_amount=Decimal("300"))
        self.assertIsNone(program.fee_amount)

    def test_purchased_services_name_their_provider(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_program(self.p, operator="purchased")
        self.assertIn("provider_name", caught.exception.message_dict)

    def test_a_contract_cannot_end_before_it_starts(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_program(
                self.p,
                operator="purchased",
                provider_name="呼和浩特市某托管服务有限公司",
                contract_start=D(2021, 7, 1),
                contract_end=D(2021, 6, 1),
            )
        self.assertIn("contract_end", caught.exception.message_dict)

    def test_unknown_target_groups_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_program(self.p, target_groups=["medical", "astronauts"])
        self.assertIn("target_groups", caught.exception.message_dict)

    def test_target_groups_are_kept_as_a_list(self) -> None:
        program = make_program(self.p, target_groups=["medical", "police"])
        self.assertEqual(Program.objects.get(pk=program.pk).target_groups, ["medical", "police"])
