"""Demo budgets and grants, made through the real services.

Registered with `manage.py seed_demo` in FundsConfig.ready(), after the classes and the
awards step (apps run in the order they are installed). The national union and each
province of the seed get their special fund for the year; every designation the awards
step made (read through the `programs.designations` provider, never by importing awards)
gets its grant of 30,000 yuan in one step, from the union that designated it (a city is
first given the money by its province); Inner Mongolia's fund is sized for its 10 regional
designations at 30,000 yuan each. A Liaoning class records an expense with its receipt.
Idempotent: nothing is made when Liaoning already has a budget this year.
"""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.orgs.permissions import Actor
from tuoguan.programs import designations
from tuoguan.programs.models import Program

from . import services
from .models import Budget, BudgetSource
from .selectors import budget_year_of

GRANT_FEN = 3_000_000  # 30,000 yuan per demonstration class (the seed: Liaoning, Inner Mongolia)
# Union (region code) → (union funds, government support) of the year, in yuan.
FUNDS = {
    "100000": (1_000_000, 0),  # the national union: 20 national titles (Shaanxi 15, Jiangsu 5)
    "210000": (500_000, 200_000),  # Liaoning: the special fund set up every year
    "150000": (300_000, 0),  # Inner Mongolia: 10 regional classes at 30,000 yuan
    "610000": (1_000_000, 500_000),  # Shaanxi
    "320000": (800_000, 0),  # Jiangsu
}


def _receipt() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (240, 240, 230)).save(out, "PNG")
    return SimpleUploadedFile("receipt.png", out.getvalue(), content_type="image/png")


def _national_admin() -> Actor | None:
    membership = (
        Membership.objects.filter(role=Role.UNION_ADMIN, is_active=True, org__level=Level.NATIONAL)
        .select_related("org", "user")
        .first()
    )
    return Actor(user=membership.user, membership=membership) if membership else None


def _province_of(org: Org) -> Org | None:
    return Org.objects.filter(level=Level.PROVINCE, path=org.path[: org.steplen * 2]).first()


def seed_funds(stdout: Any) -> None:
    admin = _national_admin()
    if admin is None:
        return
    year = timezone.localdate().year
    provinces = {o.region_code: o for o in Org.objects.filter(level__lte=Level.PROVINCE)}
    liaoning = provinces.get("210000")
    if liaoning is None or Budget.objects.filter(org=liaoning, year=year).exists():
        return
    for code, (union_funds, government) in FUNDS.items():
        province = provinces.get(code)
        if province is None:
            continue
        for source, yuan in ((BudgetSource.UNION_FUNDS, union_funds),
                             (BudgetSource.GOVERNMENT, government)):  # fmt: skip
            if yuan:
                services.budget_add(
                    actor=admin, org=province, year=year, source=source,
                    amount_fen=yuan * 100, note="托管专项资金",
                )  # fmt: skip
    granted = 0
    for batch in designations.batches_in(""):
        organiser = Org.objects.get(pk=batch.organiser_id)
        needed = GRANT_FEN * len(batch.classes)
        province = _province_of(organiser)
        short = budget_year_of(organiser, year).remaining_fen < needed
        # A city's titles are paid from money its province passes down.
        if organiser.level > Level.PROVINCE and province is not None and short:
            services.allocation_create(
                actor=admin, giver=province, receiver=organiser, year=year,
                amount_fen=needed, note="示范点补助专项",
            )  # fmt: skip
        granted += len(
            services.designation_grants_create(
                actor=admin, org=organiser, key=batch.key, year=year, amount_fen=GRANT_FEN
            )
        )
    program = Program.objects.filter(host__path__startswith=liaoning.path).order_by("pk").first()
    if program is not None:
        services.expense_record(
            actor=admin, program=program, spent_on=timezone.localdate(), category="materials",
            amount_fen=86_500, description="手工和绘画材料", receipt=_receipt(),
        )  # fmt: skip
    stdout.write(f"  funds: budgets of {len(FUNDS)} unions, {granted} designation grants\n")
