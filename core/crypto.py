"""Personal data at rest: authenticated encryption and a keyed blind index (docs/personal-data.md).

A value is stored as text, `v1$<key id>$<algorithm>$<base64(nonce + ciphertext + tag)>`, so each value
names the key and the cipher that sealed it: keys rotate and the algorithm can change without rewriting
old rows. The header is authenticated with the data, so neither can be swapped unnoticed.

    sm4-gcm       SM4 in GCM mode, key derived with HKDF-SM3 (GB/T 39786, the default)
    aes-256-gcm   AES-256 in GCM mode, key derived with HKDF-SHA256 (where OpenSSL lacks SM4)

Keys come from settings.PII_KEYS (CHANGAI_PII_KEYS, "id:secret,…"): the first encrypts, every one
decrypts. Each key's secret is a master from which one key per purpose is derived, so the cipher key
and the index key are never the same bytes.

The blind index is an HMAC (SM3 where this build has it, else SHA-256) over the normalised value:
equal values give equal indexes under one key, so an equality lookup (a duplicate ID number) needs
no decryption, while the index reveals nothing without the key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"
SEPARATOR = "$"
ALGORITHMS = ("sm4-gcm", "aes-256-gcm")
FALLBACK_KEY_ID = "s0"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """A stored value that cannot be opened: not ours, sealed with a key this server lacks, or altered."""


# --- keys -----------------------------------------------------------------------------------------


def keys() -> tuple[str, dict[str, bytes]]:
    """(id of the key that encrypts, every key by id) from settings.PII_KEYS, or one key derived from
    SECRET_KEY when none is configured (development, demo and tests; `check --deploy` warns)."""
    configured = dict(getattr(settings, "PII_KEYS", None) or {})
    if not configured:
        configured = {FALLBACK_KEY_ID: hmac.new(settings.SECRET_KEY.encode(), b"changai.pii", hashlib.sha256).digest()}
    return next(iter(configured)), configured


def uses_fallback_key() -> bool:
    """Whether personal data is being encrypted with the key derived from SECRET_KEY."""
    return not getattr(settings, "PII_KEYS", None)


@functools.lru_cache(maxsize=64)
def _derive(master: bytes, purpose: str, hash_name: str, length: int) -> bytes:
    algorithm = hashes.SM3() if hash_name == "sm3" else hashes.SHA256()
    return HKDF(algorithm=algorithm, length=length, salt=None, info=f"changai.pii.{purpose}".encode()).derive(master)


def _cipher_key(algorithm: str, master: bytes) -> bytes:
    if algorithm == "sm4-gcm":
        return _derive(master, algorithm, "sm3", 16)
    return _derive(master, algorithm, "sha256", 32)


# --- ciphers --------------------------------------------------------------------------------------


def _seal(algorithm: str, key: bytes, nonce: bytes, data: bytes, header: bytes) -> bytes:
    if algorithm == "aes-256-gcm":
        return AESGCM(key).encrypt(nonce, data, header)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(algorithm: str, key: bytes, nonce: bytes, sealed: bytes, header: bytes) -> bytes:
    if algorithm == "aes-256-gcm":
        return AESGCM(key).decrypt(nonce, sealed, header)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(header)
    return decryptor.update(body) + decryptor.finalize()


def algorithm_available(algorithm: str) -> bool:
    """Whether this build of cryptography/OpenSSL can seal and open with `algorithm`."""
    try:
        key = os.urandom(32 if algorithm == "aes-256-gcm" else 16)
        nonce = os.urandom(NONCE_BYTES)
        return _open(algorithm, key, nonce, _seal(algorithm, key, nonce, b"x", b""), b"") == b"x"
    except UnsupportedAlgorithm:
        return False


def encrypt(plaintext: str, *, algorithm: str | None = None) -> str:
    """The text sealed with the current key and settings.PII_ALGORITHM (or `algorithm`)."""
    algorithm = algorithm or settings.PII_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {ALGORITHMS}")
    key_id, known = keys()
    header = SEPARATOR.join((VERSION, key_id, algorithm))
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(algorithm, _cipher_key(algorithm, known[key_id]), nonce, plaintext.encode(), header.encode())
    return f"{header}{SEPARATOR}{base64.b64encode(nonce + sealed).decode('ascii')}"


def is_encrypted(value: object) -> bool:
    """Whether `value` has the shape of a value `encrypt` wrote (not whether it opens)."""
    return isinstance(value, str) and value.startswith(VERSION + SEPARATOR) and value.count(SEPARATOR) == 3


def decrypt(token: str) -> str:
    """The plaintext of a value `encrypt` wrote; raises DecryptionError, naming why, when it cannot be
    opened. The message never contains the value."""
    if not is_encrypted(token):
        raise DecryptionError("not an encrypted personal-data value (expected v1$<key>$<algorithm>$<data>)")
    version, key_id, algorithm, data = token.split(SEPARATOR)
    master = keys()[1].get(key_id)
    if master is None:
        raise DecryptionError(f"personal data sealed with key {key_id!r}, which CHANGAI_PII_KEYS does not hold")
    if algorithm not in ALGORITHMS:
        raise DecryptionError(f"personal data sealed with unknown algorithm {algorithm!r}")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:  # binascii.Error, or characters outside ASCII
        raise DecryptionError("personal data is not valid base64: the stored value was altered") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("personal data is too short: the stored value was altered")
    header = SEPARATOR.join((version, key_id, algorithm)).encode()
    try:
        plain = _open(algorithm, _cipher_key(algorithm, master), raw[:NONCE_BYTES], raw[NONCE_BYTES:], header)
    except InvalidTag:
        raise DecryptionError(
            f"personal data failed its integrity check under key {key_id!r}: the stored value was altered"
        ) from None
    return plain.decode("utf-8")


# --- blind index ----------------------------------------------------------------------------------


@functools.cache
def sm3_available() -> bool:
    """Whether this build can compute SM3 (else the blind index uses SHA-256)."""
    try:
        hashes.Hash(hashes.SM3()).finalize()
    except UnsupportedAlgorithm:
        return False
    return True


def normalise(value: str) -> str:
    """The form that is indexed: NFKC (full-width digits become ASCII), stripped, upper-case (x → X)."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def _index(master: bytes, hash_name: str, text: str) -> str:
    algorithm = hashes.SM3() if hash_name == "sm3" else hashes.SHA256()
    mac = crypto_hmac.HMAC(_derive(master, "index", hash_name, 32), algorithm)
    mac.update(text.encode("utf-8"))
    return mac.finalize().hex()


def blind_index(value: str) -> str:
    """`<key id>$<HMAC hex>` of the normalised value under the current key; "" for an empty value."""
    text = normalise(value)
    if not text:
        return ""
    key_id, known = keys()
    return f"{key_id}{SEPARATOR}{_index(known[key_id], 'sm3' if sm3_available() else 'sha256', text)}"


def blind_index_candidates(value: str) -> list[str]:
    """Every index the value may be stored under: each known key, each hash this build has (rows
    indexed before a key rotation still match); [] for an empty value."""
    text = normalise(value)
    if not text:
        return []
    hash_names = ("sm3", "sha256") if sm3_available() else ("sha256",)
    return [f"{kid}{SEPARATOR}{_index(master, name, text)}" for kid, master in keys()[1].items() for name in hash_names]
