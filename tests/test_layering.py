"""The layering of DESIGN §3 holds: each contract of pyproject.toml is kept, and has teeth.

The contracts themselves (and why tests are exempt) are in pyproject.toml under
[tool.importlinter]; `make lint` runs the same contracts through `lint-imports`.
"""

from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.application import use_cases
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

PYPROJECT = str(Path(__file__).resolve().parent.parent / "pyproject.toml")

configuration.configure()
OPTIONS = use_cases.read_user_options(PYPROJECT)
ROOTS = OPTIONS.session_options["root_packages"]


def contract(contract_id: str) -> Contract:
    options = next(c for c in OPTIONS.contracts_options if c["id"] == contract_id)
    return LayersContract(
        name=options["name"],
        session_options=OPTIONS.session_options,
        contract_options=options,
    )


def graph_with(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.build_graph(*ROOTS, cache_dir=None)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_every_import_contract_is_kept() -> None:
    passed = use_cases.lint_imports(PYPROJECT, cache_dir=None, no_logo=True)
    assert passed, "an import breaks a contract of pyproject.toml: the report is printed above"


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("apps", "tuoguan.orgs.models", "tuoguan.enrolment.models"),
        ("apps", "tuoguan.core.views", "tuoguan.orgs.permissions"),
        ("apps", "tuoguan.notifications.services", "tuoguan.audit.services"),
        ("apps", "tuoguan.programs.services.terms", "tuoguan.testing"),
        (
            "enrolment-paperwork",
            "tuoguan.enrolment.paperwork_status",
            "tuoguan.enrolment.services.insurance",
        ),
    ],
)
def test_a_back_import_breaks_the_layers(contract_id: str, importer: str, imported: str) -> None:
    layers = contract(contract_id)
    assert layers.check(graph_with(), verbose=False).kept
    assert not layers.check(graph_with((importer, imported)), verbose=False).kept
