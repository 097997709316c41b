"""The job page: its owner watches the progress bar; HTMX polls it until the job ends."""

from django.urls import reverse

from tuoguan.core.jobs import job_create, job_finish, job_progress, job_start
from tuoguan.core.models import Job
from tuoguan.testing import PersonaTestCase


class JobPageTest(PersonaTestCase):
    def setUp(self) -> None:
        self.job = job_create(owner=self.p.province_admin, kind="export", title="导出报名表")
        self.url = reverse("core:job", kwargs={"pk": self.job.pk})

    def fragment(self) -> str:
        response = self.client_for(self.p.province_admin).get(self.url, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "core/_job.html")
        self.assertTemplateNotUsed(response, "core/job_detail.html")
        return response.content.decode()

    def test_the_owner_sees_the_progress_bar(self) -> None:
        job_start(job_id=self.job.pk, total=10)
        job_progress(job_id=self.job.pk, step=4)
        response = self.client_for(self.p.province_admin).get(self.url)
        self.assertContains(response, "<h1>导出报名表</h1>", html=True)
        self.assertContains(response, 'max="100" value="40"')
        self.assertContains(response, "4 / 10")

    def test_htmx_gets_only_the_fragment_which_polls_while_running(self) -> None:
        job_start(job_id=self.job.pk, total=10)
        html = self.fragment()
        self.assertNotIn("<html", html)
        self.assertIn('hx-trigger="every 1s"', html)
        self.assertIn(f'hx-get="{self.url}"', html)

    def test_polling_stops_once_the_job_is_done(self) -> None:
        job_start(job_id=self.job.pk, total=2)
        job_finish(job_id=self.job.pk, result={"url": "/media/export.xlsx"})
        html = self.fragment()
        self.assertNotIn("hx-trigger", html)
        self.assertIn('value="100"', html)
        self.assertIn('href="/media/export.xlsx"', html)

    def test_polling_stops_when_the_job_fails(self) -> None:
        job_finish(job_id=self.job.pk, error="文件格式错误")
        html = self.fragment()
        self.assertNotIn("hx-trigger", html)
        self.assertIn("文件格式错误", html)
        self.assertEqual(Job.objects.get(pk=self.job.pk).status, Job.Status.FAILED)

    def test_another_user_gets_404(self) -> None:
        for user in (self.p.city_admin, self.p.outsider, self.p.parent):
            self.assertEqual(self.client_for(user).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_the_admin_shows_jobs_read_only(self) -> None:
        from django.contrib.admin.sites import site
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = self.p.province_admin
        model_admin = site._registry[Job]
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, self.job))
        self.assertFalse(model_admin.has_delete_permission(request, self.job))
