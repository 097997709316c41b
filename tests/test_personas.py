from tuoguan.testing import PersonaTestCase


class PersonasTest(PersonaTestCase):
    def test_the_parent_has_two_consented_children(self) -> None:
        children = self.p.parent_worker.children.all()
        self.assertEqual(children.count(), 2)
        self.assertTrue(all(child.has_consent() for child in children))

    def test_the_outsider_sits_in_another_province(self) -> None:
        outsider_org = self.p.outsider.memberships.get().org
        self.assertFalse(outsider_org.path.startswith(self.p.province.path))
        self.assertFalse(self.p.province.path.startswith(outsider_org.path))
