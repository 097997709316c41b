"""Small factories of the funds tests, made through the real services."""

import datetime
from typing import Any

from tuoguan.funds import services
from tuoguan.funds.models import Budget, BudgetSource, Grant, GrantKind
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs.tests.factories import make_program

YEAR = 2026


def actor(user: Any) -> Any:
    return actor_for(user)


def budget(p: Any, yuan: int, *, org: Any = None, year: int = YEAR, by: Any = None) -> Budget:
    return services.budget_add(
        actor=actor(by or p.province_admin),
        org=org or p.province,
        year=year,
        source=BudgetSource.UNION_FUNDS,
        amount_fen=yuan * 100,
    )


def grant(
    p: Any, fen: int, *, program: Any = None, org: Any = None, by: Any = None, year: int = YEAR
) -> Grant:
    return services.grant_create(
        actor=actor(by or p.province_admin),
        org=org or p.province,
        program=program or make_program(p),
        year=year,
        kind=GrantKind.EQUIPMENT,
        amount_fen=fen,
        note="监控摄像头",
    )


def fee_program(p: Any, yuan: str = "600.00", **overrides: Any) -> Any:
    from decimal import Decimal

    return make_program(p, fee_policy="living_costs", fee_amount=Decimal(yuan), **overrides)


TODAY = datetime.date(2026, 7, 1)
