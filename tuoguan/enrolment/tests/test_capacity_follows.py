from tuoguan.enrolment.models import EnrolmentStatus, SeatPool
from tuoguan.programs import services as programs
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, open_term


class CapacityChangesReachTheWaitlistTest(PersonaTestCase):
    def test_a_place_added_to_the_term_is_offered_to_the_first_waiting_child(self) -> None:
        term = open_term(self.p, capacity=1)
        first = apply(self.p, term, self.p.child_one)
        second = apply(self.p, term, self.p.child_two)
        self.assertEqual(first.status, EnrolmentStatus.ADMITTED)
        self.assertEqual(second.status, EnrolmentStatus.WAITLISTED)

        programs.term_update(actor=actor(self.p.grassroots_admin), term=term, capacity=2)

        second.refresh_from_db()
        self.assertEqual(second.status, EnrolmentStatus.OFFERED)
        pool = SeatPool.objects.get(term=term, group__isnull=True)
        self.assertEqual((pool.capacity, pool.taken), (2, 2))
