"""Backups a province can restore: the database, uploaded files and a manifest to check them against.

    manage.py backup /srv/backup            → /srv/backup/changai-20261207-0200/
    manage.py restore /srv/backup/changai-20261207-0200 --replace

A backup folder holds the database (SQLite: `db.sqlite3`, copied with SQLite's online backup API, so the
platform keeps running; PostgreSQL: `db.dump`, `pg_dump --format=custom`, a consistent snapshot), the
uploaded files (`media.tar.gz`), and `manifest.json`: when, which engine, every table's row count, the audit
chain's last row and hash, and each file's SHA-256. `restore` checks the files against the manifest before
touching anything, loads them, then compares the restored row counts and the audit head with the manifest.
docs/deploy.md has the drill.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import UserError

MANIFEST = "manifest.json"


@dataclass
class Check:
    """What a restore found: tables whose counts differ from the manifest, and whether the audit head matches."""

    differing: dict[str, tuple[int, int]]
    audit_head_matches: bool

    @property
    def ok(self) -> bool:
        return not self.differing and self.audit_head_matches


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fileobj:
        for chunk in iter(lambda: fileobj.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def table_counts() -> dict[str, int]:
    """Every table's row count in the current database (Django's introspection, so both engines agree)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        return {name: _count(cursor, f"SELECT COUNT(*) FROM {qn(name)}") for name in names}  # noqa: S608


def _count(cursor, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchone()[0])


def audit_head() -> dict:
    from core.models import AuditEntry

    last = AuditEntry.objects.order_by("-id").values("id", "entry_hash").first()
    return {"id": last["id"], "hash": last["entry_hash"]} if last else {}


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", str(db.get("USER"))]
    return env, args


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15"):
        candidate = f"/usr/lib/postgresql/{version}/bin/{name}"
        if os.path.exists(candidate):
            return candidate
    raise UserError(_("找不到 %(tool)s：请安装 PostgreSQL 客户端（postgresql-client）。") % {"tool": name})


def make(destination: Path) -> Path:
    """Write a backup folder under `destination`; returns its path."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = Path(destination) / f"changai-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    engine = connection.vendor
    if engine == "sqlite":
        target = sqlite3.connect(folder / "db.sqlite3")
        with target:
            connection.ensure_connection()
            connection.connection.backup(target)
        target.close()
        counts, head = _sqlite_counts(folder / "db.sqlite3"), _sqlite_head(folder / "db.sqlite3")  # the copy's own
    elif engine == "postgresql":
        counts, head = _pg_dump(folder / "db.dump")
    else:
        raise UserError(_("不支持备份 %(engine)s 数据库。") % {"engine": engine})
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    files = {p.name: _sha256(p) for p in sorted(folder.iterdir())}
    manifest = {"created_at": timezone.now().isoformat(), "engine": engine, "tables": counts, "audit_head": head}
    manifest["files"] = files
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def _pg_dump(path: Path) -> tuple[dict[str, int], dict]:
    """pg_dump of the snapshot in which the counts and the audit head are read, so the manifest is the dump's."""
    env, args = _pg_env_and_args()
    dbname = settings.DATABASES["default"]["NAME"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, head = table_counts(), audit_head()
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                _pg_tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "-f",
                str(path),
                dbname,
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    return counts, head


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        names = sorted(n for n in names if not n.startswith("sqlite_"))
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


def _sqlite_head(path: Path) -> dict:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT id, entry_hash FROM core_auditentry ORDER BY id DESC LIMIT 1").fetchone()
    return {"id": row[0], "hash": row[1]} if row else {}


def read_manifest(folder: Path) -> dict:
    """The manifest, after checking every file's SHA-256 against it (UserError naming the file otherwise)."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(_("“%(path)s”不是有效的备份（缺少或无法读取 manifest.json）。") % {"path": folder}) from error
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or _sha256(path) != digest:
            raise UserError(_("备份文件“%(name)s”缺失或已损坏（校验值不符），不能用于恢复。") % {"name": name})
    return manifest


def restore(folder: Path, *, replace: bool = False) -> Check:
    """Load the backup in `folder` into the configured database and media folder, then check it."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    engine = connection.vendor
    if manifest["engine"] != engine:
        raise UserError(
            _("这是 %(backup)s 数据库的备份，当前配置的是 %(engine)s 数据库。")
            % {"backup": manifest["engine"], "engine": engine}
        )
    if not replace and audit_head():
        raise UserError(_("当前数据库已有数据；确认要用备份替换时请加 --replace。"))
    if engine == "sqlite":
        source = sqlite3.connect(folder / "db.sqlite3")
        connection.ensure_connection()
        source.backup(connection.connection)
        source.close()
    else:
        env, args = _pg_env_and_args()
        dbname = settings.DATABASES["default"]["NAME"]
        connection.close()
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                _pg_tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                dbname,
                str(folder / "db.dump"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(dir=media.parent, prefix=".restore-"))
    try:
        with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
            archive.extractall(unpacked, filter="data")  # "data": no absolute paths, links out or devices
        if replace and media.exists():
            shutil.rmtree(media)
        if (unpacked / "media").exists():
            shutil.copytree(unpacked / "media", media, dirs_exist_ok=True)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    counts = table_counts()
    differing = {
        name: (expected, counts.get(name, -1))
        for name, expected in manifest["tables"].items()
        if counts.get(name, -1) != expected
    }
    return Check(differing=differing, audit_head_matches=audit_head() == manifest["audit_head"])
