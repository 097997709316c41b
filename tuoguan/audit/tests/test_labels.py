from django.apps import apps
from django.test import SimpleTestCase
from django.utils import translation
from django.utils.functional import Promise

from tuoguan.audit.labels import UNLABELLED, field_label, record_type_label
from tuoguan.audit.models import AuditEntry


class LabelTests(SimpleTestCase):
    def test_every_project_model_and_field_has_words_in_the_readers_language(self) -> None:
        """A verbose_name left out is English no catalogue translates: name it, or map it."""
        missing = []
        for model in apps.get_models():
            if not model.__module__.startswith("tuoguan."):
                continue
            label = model._meta.label_lower
            if not isinstance(model._meta.verbose_name, Promise) and label not in UNLABELLED:
                missing.append(label)
            for field in model._meta.concrete_fields:
                key = f"{label}.{field.name}"
                if field.primary_key or isinstance(field.verbose_name, Promise):
                    continue
                if key not in UNLABELLED:
                    missing.append(key)
        self.assertEqual(
            missing, [], "give these a verbose_name, or a label in tuoguan/audit/labels.py"
        )

    def test_the_log_names_record_types_and_fields_in_chinese(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(record_type_label("enrolment.SeatPool"), "名额池")
            self.assertEqual(field_label("programs.Term", "decided_by_id"), "审批人")
            self.assertEqual(field_label("enrolment.SeatPool", "taken"), "已占名额")
            entry = AuditEntry(model="programs.Term", changed_fields=["status", "submitted_at"])
            self.assertEqual(entry.changed_field_labels, ["状态", "提交时间"])

    def test_a_record_type_or_field_that_is_gone_keeps_its_stored_name(self) -> None:
        self.assertEqual(record_type_label("gone.Model"), "gone.Model")
        self.assertEqual(field_label("programs.Term", "no_such_field"), "no_such_field")
