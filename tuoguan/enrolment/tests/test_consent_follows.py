from tuoguan.accounts import services as people
from tuoguan.enrolment.models import EnrolmentStatus

from .paperwork_support import PaperworkCase, actor, complete, new_family, seat, term_around


class ConsentChangesMoveTheSeatTest(PaperworkCase):
    def test_withdrawing_consent_unconfirms_at_once_and_giving_it_again_confirms(self) -> None:
        child = new_family(self.p, 1)
        enrolment = complete(seat(term_around(self.p, starts_in=5), child))
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)

        guardian = actor(child.guardian.user)
        people.consent_withdraw(actor=guardian, child=child)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)

        people.consent_grant(actor=guardian, child=child, policy=self.p.policy, ip="127.0.0.1")
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
