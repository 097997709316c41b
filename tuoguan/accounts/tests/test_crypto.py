"""Field encryption (core.crypto) and how a child's ID number is stored with it."""

import base64
import datetime

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError
from django.db import connection

from tuoguan.accounts import services
from tuoguan.accounts.models import Child
from tuoguan.core import crypto
from tuoguan.testing import PersonaTestCase

VALID_ID = "210202201909014564"


def test_encrypt_then_decrypt_gives_the_value_back() -> None:
    assert crypto.decrypt(crypto.encrypt("11010519491231002X")) == "11010519491231002X"


def test_encrypting_twice_gives_different_ciphertexts() -> None:
    # A random nonce per value: equal numbers cannot be spotted by comparing ciphertexts.
    assert crypto.encrypt("110101") != crypto.encrypt("110101")


def test_a_modified_ciphertext_fails_to_decrypt() -> None:
    token = crypto.encrypt("11010519491231002X")
    raw = bytearray(base64.b64decode(token))
    raw[-1] ^= 0x01
    with pytest.raises(InvalidTag):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode())


def test_a_ciphertext_cut_short_fails_to_decrypt() -> None:
    token = crypto.encrypt("11010519491231002X")
    raw = base64.b64decode(token)
    with pytest.raises(InvalidTag):
        crypto.decrypt(base64.b64encode(raw[:-3]).decode())


def test_the_blind_index_is_equal_for_equal_values_whatever_the_case_and_spaces() -> None:
    assert crypto.blind_index("11010519491231002x ") == crypto.blind_index("11010519491231002X")
    assert crypto.blind_index("11010519491231002X") != crypto.blind_index("110105194912310029")


def test_the_blind_index_does_not_contain_the_value() -> None:
    index = crypto.blind_index("11010519491231002X")
    assert "11010519491231002X" not in index and len(index) == 64


def test_masking_keeps_the_first_and_last_four() -> None:
    assert crypto.mask("210202201703051234") == "2102**********1234"
    assert crypto.mask("1234567") == "*******"


class StoredIdNumberTest(PersonaTestCase):
    def _register(self, id_number: str, name: str = "新孩子") -> Child:
        return services.child_register(
            actor=self.p.actor(self.p.parent),
            guardian=self.p.parent_worker,
            consent=True,
            ip="127.0.0.1",
            id_number=id_number,
            name=name,
            sex="F",
            birth_date=datetime.date(2019, 9, 1),
            grade=1,
            relationship="mother",
        )

    def test_the_raw_database_column_does_not_contain_the_number(self) -> None:
        child = self._register(VALID_ID)
        table = child._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [child.pk])  # noqa: S608
            row = cursor.fetchone()
        assert row is not None
        assert not any(VALID_ID in str(value) for value in row)

    def test_the_stored_number_decrypts_and_is_masked_on_screen(self) -> None:
        child = self._register(VALID_ID)
        child.refresh_from_db()
        assert child.id_number() == VALID_ID
        assert child.id_number_masked == "2102**********4564"

    def test_a_second_child_with_the_same_number_is_refused_by_the_blind_index(self) -> None:
        self._register(VALID_ID)
        with pytest.raises(ValidationError) as caught:
            self._register(f" {VALID_ID} ", name="重复")
        assert "id_number" in caught.value.message_dict
        assert not self.p.parent_worker.children.filter(name="重复").exists()
