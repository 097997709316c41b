"""A lottery anyone can check: download the inputs of a real draw, check their digest, and
recompute the draw with the stand-alone script in a separate Python process."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoguan.enrolment import verify_draw
from tuoguan.enrolment.models import Draw
from tuoguan.enrolment.services import lottery

from .test_lottery import draw_inputs
from .test_verify_draw import VerifyDrawTestCase


class CheckItYourselfTest(VerifyDrawTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.anonymous = Client()
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder)

    def download(self, name: str, **kwargs: int) -> Path:
        response = self.anonymous.get(reverse(f"enrolment:{name}", kwargs=kwargs))
        self.assertEqual(response.status_code, 200)
        filename = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
        assert filename is not None
        path = self.folder / filename.group(1)
        path.write_bytes(response.content)
        return path

    def run_script(self, *args: str) -> subprocess.CompletedProcess[str]:
        # -I: isolated from the project (no cwd, no site-packages path, no PYTHON* variables).
        return subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "-I", str(self.folder / "verify_draw.py"), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            timeout=60,
            check=False,
        )

    def test_the_downloaded_inputs_and_seed_reproduce_the_published_result(self) -> None:
        page = self.anonymous.get(reverse("enrolment:draw_public", kwargs={"pk": self.draw.pk}))
        published_digest = re.search(
            r'<code class="mono">([0-9a-f]{64})</code>', page.content.decode()
        )
        assert published_digest is not None
        inputs = self.download("draw_inputs", pk=self.draw.pk)
        self.assertEqual(hashlib.sha256(inputs.read_bytes()).hexdigest(), published_digest.group(1))
        result = self.download("draw_result", pk=self.draw.pk)
        self.download("draw_verifier")
        # The page documents the very command run here.
        command = f'python3 verify_draw.py {inputs.name} "种子-42" {result.name}'
        self.assertContains(page, command)

        checked = self.run_script(inputs.name, "种子-42", result.name)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn(published_digest.group(1), checked.stdout)
        self.assertIn("OK", checked.stdout)

        recomputed = self.run_script(inputs.name, "种子-42")
        outcome = json.loads(recomputed.stdout.splitlines()[-1])
        self.assertEqual(outcome, self.draw.outcome)
        self.assertEqual(len(outcome["admitted"]), 2)

    def test_a_tampered_result_or_another_seed_fails_with_exit_status_1(self) -> None:
        inputs = self.download("draw_inputs", pk=self.draw.pk)
        self.download("draw_verifier")
        self.tamper()
        result = self.download("draw_result", pk=self.draw.pk)
        checked = self.run_script(inputs.name, "种子-42", result.name)
        self.assertEqual(checked.returncode, 1)
        self.assertIn("MISMATCH", checked.stdout)
        self.assertIn("is admitted, the recomputed draw waitlists it", checked.stdout)

    def test_the_inputs_file_names_nobody(self) -> None:
        content = self.download("draw_inputs", pk=self.draw.pk).read_text("utf-8")
        data = json.loads(content)
        self.assertEqual(
            sorted(data), ["applicants", "groups", "seats", "term", "tiers", "version"]
        )
        self.assertNotIn("孩子", content)
        self.assertNotIn("家长", content)

    def test_the_draw_api_is_readable_without_logging_in(self) -> None:
        response = self.anonymous.get(reverse("draw-detail", args=[self.draw.pk]))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["seed"], "种子-42")
        self.assertEqual(body["inputs_digest"], self.draw.inputs_digest)
        self.assertEqual(body["outcome"], self.draw.outcome)
        self.assertIs(body["verified"], True)
        self.assertEqual(body["inputs_url"], reverse("enrolment:draw_inputs", args=[self.draw.pk]))
        self.assertEqual(body["verifier_url"], reverse("enrolment:draw_verifier"))

    def test_a_running_draw_has_no_result_file_yet(self) -> None:
        Draw.objects.filter(pk=self.draw.pk).update(status=Draw.Status.RUNNING)
        response = self.anonymous.get(reverse("enrolment:draw_result", args=[self.draw.pk]))
        self.assertEqual(response.status_code, 404)


@settings(max_examples=150, deadline=None)
@given(inputs=draw_inputs(), seed=st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
def test_the_script_recomputes_what_the_platform_draws_from_the_published_json(
    inputs: lottery.DrawInputs, seed: str
) -> None:
    published = json.loads(lottery.canonical_json(inputs.to_json()))
    assert verify_draw.draw_from_inputs(published, seed) == lottery.draw(inputs, seed).to_json()
