"""Uploads waiting for confirmation, kept in a private directory under generated names.

The directory (setting REPORTING_IMPORT_DIR, default var/imports/) is never under STATIC_ROOT or
MEDIA_ROOT, so nothing in it can be served; files are created with mode 0600. Each upload has a
random token; its files are

    <token>.upload        the file as received (kept only while a clean preview awaits confirmation)
    <token>.json          who uploaded it, for what, the plan (what would change) or the problems
    <token>.errors.xlsx   the error workbook of a refused upload

A token's files are deleted when the import is confirmed, when it fails, when the person discards
it, and by `manage.py purge_import_temp` once they are older than 24 hours.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
SUFFIXES = (".upload", ".json", ".plan.json", ".errors.xlsx")
MAX_AGE = dt.timedelta(hours=24)


def import_dir() -> Path:
    """The private directory (created on first use, readable by the application's user only)."""
    path = Path(getattr(settings, "REPORTING_IMPORT_DIR", Path(settings.BASE_DIR) / "var" / "imports"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_token() -> str:
    return secrets.token_hex(16)


def valid_token(token: str) -> bool:
    return bool(_TOKEN.match(token or ""))


def path_of(token: str, suffix: str) -> Path:
    if not valid_token(token) or suffix not in SUFFIXES:
        raise ValueError("bad import token")
    return import_dir() / f"{token}{suffix}"


def _open_private(path: Path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


def save_upload(token: str, chunks: Iterable[bytes]) -> Path:
    """Write the uploaded bytes under the token's generated name (the client's file name is never used)."""
    path = path_of(token, ".upload")
    try:
        with _open_private(path) as fh:
            for chunk in chunks:
                fh.write(chunk)
    except OSError:
        path.unlink(missing_ok=True)  # a full disk leaves no partial file behind
        raise
    return path


def save_bytes(token: str, suffix: str, data: bytes) -> Path:
    path = path_of(token, suffix)
    try:
        with _open_private(path) as fh:
            fh.write(data)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return path


def write_meta(token: str, meta: dict[str, Any]) -> None:
    save_bytes(token, ".json", json.dumps(meta, ensure_ascii=False, default=str).encode("utf-8"))


def read_meta(token: str) -> dict[str, Any] | None:
    """The token's metadata, or None when the token is malformed, unknown or expired."""
    if not valid_token(token):
        return None
    path = path_of(token, ".json")
    try:
        if time.time() - path.stat().st_mtime > MAX_AGE.total_seconds():
            delete(token)
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def delete(token: str, *suffixes: str) -> None:
    """Remove the token's files (all of them, or only those with the given suffixes)."""
    if not valid_token(token):
        return
    for suffix in suffixes or SUFFIXES:
        path_of(token, suffix).unlink(missing_ok=True)


def purge(*, older_than: dt.timedelta = MAX_AGE, now: float | None = None) -> int:
    """Delete every file in the directory older than `older_than`; returns how many were deleted."""
    now = time.time() if now is None else now
    removed = 0
    for path in import_dir().iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > older_than.total_seconds():
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
