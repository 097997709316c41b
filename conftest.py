import pytest

from tuoguan.testing import Personas, build_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()
