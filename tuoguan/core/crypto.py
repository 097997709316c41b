"""Field encryption for sensitive personal information (PIPL Art. 51).

AES-256-GCM (authenticated: a tampered ciphertext fails to decrypt rather than yielding
garbage) with a random 96-bit nonce per value; and an HMAC-SHA256 "blind index" beside it so
exact look-ups (duplicate ID numbers) work without decrypting. Both keys derive from
TUOGUAN_FIELD_KEY with HKDF, so the index cannot be used to test guesses without the key.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = b"\x01"


@functools.cache
def _keys(master_b64: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("TUOGUAN_FIELD_KEY must be base64.") from exc
    if len(master) < 32:
        raise ImproperlyConfigured("TUOGUAN_FIELD_KEY must hold at least 32 bytes.")

    def derive(label: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)

    return derive(b"tuoguan-field-encryption"), derive(b"tuoguan-blind-index")


def encrypt(plaintext: str) -> str:
    enc_key, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    sealed = AESGCM(enc_key).encrypt(nonce, plaintext.encode(), _VERSION)
    return base64.b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    enc_key, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    raw = base64.b64decode(token)
    version, nonce, sealed = raw[:1], raw[1:13], raw[13:]
    return AESGCM(enc_key).decrypt(nonce, sealed, version).decode()


def blind_index(value: str) -> str:
    _, mac_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(mac_key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """`110101201001011234` → `1101**********1234`."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()
