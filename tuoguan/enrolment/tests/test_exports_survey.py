"""The needs survey export (.xlsx): a sheet of answers and a sheet of totals per unit."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from tuoguan.enrolment.exports import XLSX_TYPE
from tuoguan.testing import PersonaTestCase

from .survey_helpers import answer, make_survey, make_worker


class SurveyExportTests(PersonaTestCase):
    def test_the_export_opens_with_openpyxl_and_has_the_right_rows(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey, children=[{"age": 8, "grade": 2}, {"age": 5, "grade": 0}])
        hospital = make_worker(self.p.other_grassroots, 1)
        answer(hospital.user, survey, special_needs="=HYPERLINK(1)", pay_living_costs="no")
        client = self.client_for(self.p.city_admin)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.get(reverse("enrolment:survey_export", args=[survey.pk]))
        self.assertEqual(response["Content-Type"], XLSX_TYPE)
        workbook = load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, ["Answers", "Totals per unit"])
        answers = list(workbook["Answers"].iter_rows(values_only=True))
        self.assertEqual(answers[0][:3], ("Unit", "Unit ID", "Children"))
        self.assertEqual(len(answers), 3)
        by_unit = {row[0]: row for row in answers[1:]}
        self.assertEqual(by_unit["大连港集团工会"][2], 2)
        self.assertEqual(by_unit["大连港集团工会"][3], "8, 5")
        # A formula typed by a parent stays text in the file.
        self.assertEqual(by_unit["中山区人民医院工会"][9], "'=HYPERLINK(1)")
        # No names anywhere: the export is about needs, not people.
        flat = str(answers)
        self.assertNotIn("王", flat)
        totals = list(workbook["Totals per unit"].iter_rows(values_only=True))
        self.assertEqual(totals[0][:4], ("Unit", "Unit ID", "Families", "Children"))
        self.assertEqual(len(totals), 4)  # header, two units, total
        self.assertEqual(totals[-1][:4], ("Total", None, 2, 3))

    def test_the_outsider_cannot_export(self) -> None:
        survey = make_survey(self.p)
        response = self.client_for(self.p.outsider).get(
            reverse("enrolment:survey_export", args=[survey.pk])
        )
        self.assertEqual(response.status_code, 404)
