"""The view kit's core half: pagination within bounds, service errors on the right field."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.test import RequestFactory, SimpleTestCase, override_settings
from django_htmx.middleware import HtmxDetails

from tuoguan.core.kit import HtmxRequest, form_errors, page_number, paginate, wants_fragment

ROWS = list(range(120))  # three pages of 50


def page_of(query: dict[str, str], items: Any = ROWS, **options: Any) -> Page:
    return paginate(RequestFactory().get("/", query), items, **options)


class PaginateTest(SimpleTestCase):
    def test_pages_hold_the_configured_number_of_rows(self) -> None:
        page = page_of({"page": "2"})
        self.assertEqual(page.number, 2)
        self.assertEqual(page.object_list, list(range(50, 100)))
        with override_settings(TUOGUAN_PAGE_SIZE=7):
            self.assertEqual(len(page_of({}).object_list), 7)
        self.assertEqual(len(page_of({}, per_page=10).object_list), 10)

    def test_the_rows_are_fetched_once_into_a_list(self) -> None:
        self.assertIsInstance(page_of({}, range(120)).object_list, list)

    def test_no_number_zero_and_negative_numbers_are_the_first_page(self) -> None:
        for asked in ("", "0", "-1", "-99999999999999999999"):
            with self.subTest(asked):
                self.assertEqual(page_of({"page": asked}).number, 1)
        self.assertEqual(page_of({}).number, 1)

    def test_a_number_past_the_end_is_the_last_page(self) -> None:
        for asked in ("4", "99999999999999999999999999999999"):
            with self.subTest(asked):
                page = page_of({"page": asked})
                self.assertEqual(page.number, 3)
                self.assertEqual(page.object_list, list(range(100, 120)))

    def test_what_is_not_a_whole_number_is_the_first_page(self) -> None:
        # Python refuses to read an integer of more than 4,300 digits: that is not a 500.
        for asked in ("abc", "2.5", "1e3", "9" * 5000, "\x00"):
            with self.subTest(asked[:10]):
                self.assertEqual(page_of({"page": asked}).number, 1)
        self.assertEqual(page_number(" 2 "), 2)

    def test_an_empty_list_has_one_empty_page(self) -> None:
        page = page_of({"page": "5"}, [])
        self.assertEqual((page.number, page.object_list), (1, []))

    def test_each_list_of_a_page_may_have_its_own_parameter(self) -> None:
        page = page_of({"page": "3", "people": "2"}, param="people")
        self.assertEqual(page.number, 2)


class NameForm(forms.Form):
    name = forms.CharField()
    comment = forms.CharField(required=False)


class FormErrorsTest(SimpleTestCase):
    def bound(self) -> NameForm:
        form = NameForm({"name": "慧成长", "comment": ""})
        self.assertTrue(form.is_valid())
        return form

    def test_an_error_goes_on_the_field_it_names_with_its_code(self) -> None:
        form = self.bound()
        form_errors(form, ValidationError({"name": ValidationError("Taken.", code="taken")}))
        self.assertEqual(form.errors["name"], ["Taken."])
        self.assertTrue(form.has_error("name", "taken"))
        self.assertNotIn("name", form.cleaned_data)
        self.assertEqual(form.non_field_errors(), [])

    def test_a_field_the_form_does_not_have_goes_on_the_whole_form(self) -> None:
        form = self.bound()
        form_errors(form, ValidationError({"capacity": "Too many.", "name": "Taken."}))
        self.assertEqual(form.non_field_errors(), ["Too many."])
        self.assertEqual(form.errors["name"], ["Taken."])

    def test_an_error_without_a_field_goes_on_the_whole_form(self) -> None:
        form = self.bound()
        form_errors(form, ValidationError(["The term is closed.", "Ask the union."]))
        self.assertEqual(form.non_field_errors(), ["The term is closed.", "Ask the union."])

    def test_a_service_name_maps_onto_the_form_field(self) -> None:
        form = self.bound()
        form_errors(
            form,
            ValidationError({"review_comment": "Say what is missing."}),
            rename={"review_comment": "comment"},
        )
        self.assertEqual(form.errors["comment"], ["Say what is missing."])
        self.assertEqual(form.non_field_errors(), [])


class WantsFragmentTest(SimpleTestCase):
    def request(self, **headers: str) -> HtmxRequest:
        request = cast(HtmxRequest, RequestFactory().get("/", headers=headers))
        request.htmx = HtmxDetails(request)
        return request

    def test_only_an_htmx_request_that_restores_no_history_wants_a_fragment(self) -> None:
        self.assertFalse(wants_fragment(self.request()))
        self.assertTrue(wants_fragment(self.request(**{"HX-Request": "true"})))
        restore = self.request(**{"HX-Request": "true", "HX-History-Restore-Request": "true"})
        self.assertFalse(wants_fragment(restore))
