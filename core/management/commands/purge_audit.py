"""Archive audit entries older than N days (N ≥ 180) to a checked gzip file, then delete them.

网络安全法 第二十一条(三) requires network logs to be kept for at least six months, so any
age under 180 days is refused. The steps, each of which must succeed before the next:

1. the hash chain verifies (a tampered log is evidence and is never purged);
2. the entries are written to `<archive-dir>/audit-<from>-<to>-<stamp>.jsonl.gz`, one JSON
   object per line (with their hashes), and a `.sha256` file beside it (`sha256sum -c` format);
3. the archive is read back: same ids in the same order, every entry's hash intact, and the
   file's sha256 as recorded;
4. the entries are deleted inside `audit.purge_permitted()`, and the purge itself is audited,
   in one transaction.

Copy the archive and its checksum off this host afterwards (logs are kept off the host).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.models import AuditEntry

MIN_DAYS = 180
CHUNK = 500


def _days(value: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*[dD]?\s*", value or "")
    if not match:
        raise CommandError(_("--older-than 应为天数，例如 365 或 365d。"))
    return int(match.group(1))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = _("归档并删除早于指定天数（不少于180天）的审计日志。")

    def add_arguments(self, parser):
        add = parser.add_argument
        add("--older-than", required=True, help=_("天数，不少于180，例如 365 或 365d"))
        add("--archive-dir", required=True, help=_("归档文件目录（之后请复制到本机以外保存）"))
        add("--dry-run", action="store_true", help=_("只统计将被归档的记录，不写文件、不删除"))

    def handle(self, *args, older_than: str, archive_dir: str, dry_run: bool, **options):
        days = _days(older_than)
        if days < MIN_DAYS:
            raise CommandError(
                _(
                    "拒绝清理：审计日志至少保留%(min)d天（网络安全法第二十一条要求留存不少于六个月），"
                    "--older-than 不能小于%(min)d。"
                )
                % {"min": MIN_DAYS}
            )
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = AuditEntry.objects.filter(at__lt=cutoff).order_by("id")
        # Only a leading run of the chain is removed, so what stays still verifies from its first row.
        first_kept = AuditEntry.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        if first_kept is not None:
            old = old.filter(id__lt=first_kept)
        ids = list(old.values_list("id", flat=True))
        if not ids:
            self.stdout.write(
                _("没有早于%(date)s的审计记录，无需清理。") % {"date": timezone.localtime(cutoff).strftime("%Y-%m-%d")}
            )
            return
        if dry_run:
            self.stdout.write(_("将归档并删除 %(n)d 条记录（试运行，未做改动）。") % {"n": len(ids)})
            return

        bad = audit.verify_chain()
        if bad:
            raise CommandError(
                _("拒绝清理：审计日志哈希校验未通过（%(n)d 条记录异常，请先运行 verify_audit 调查）。")
                % {"n": len(bad)}
            )

        archive, checksum = self._write_archive(Path(archive_dir), old, ids, cutoff)
        last_hash = AuditEntry.objects.filter(id=ids[-1]).values_list("entry_hash", flat=True).get()
        self._check_archive(archive, checksum, ids)

        with transaction.atomic():
            deleted = 0
            with audit.purge_permitted():
                for start in range(0, len(ids), CHUNK):
                    deleted += AuditEntry.objects.filter(id__in=ids[start : start + CHUNK]).delete()[0]
            if deleted != len(ids):
                raise CommandError(
                    _("删除的记录数（%(d)d）与归档数（%(a)d）不符，已全部撤销。") % {"d": deleted, "a": len(ids)}
                )
            audit.record(
                Actor.system("purge_audit"),
                "audit.purge",
                object_type=AuditEntry._meta.label_lower,
                detail={
                    "rows": deleted,
                    "older_than_days": days,
                    "cutoff": cutoff,
                    "first_id": ids[0],
                    "last_id": ids[-1],
                    # The first row kept links to this hash: the chain's new start, explained (audit.verify).
                    "last_hash": last_hash,
                    "archive": archive.name,
                    "sha256": checksum,
                },
            )
        self.stdout.write(
            _("已归档并删除 %(n)d 条记录：%(file)s（sha256 %(sum)s）。请将归档文件复制到本机以外保存。")
            % {"n": deleted, "file": archive, "sum": checksum}
        )

    def _write_archive(self, directory: Path, entries, ids: list[int], cutoff) -> tuple[Path, str]:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
        archive = directory / f"audit-{ids[0]}-{ids[-1]}-{stamp}.jsonl.gz"
        if archive.exists():
            raise CommandError(_("归档文件已存在：%(file)s") % {"file": archive})
        # Audit rows name people and addresses: readable by the owner only.
        descriptor = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        written = 0
        with os.fdopen(descriptor, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as handle:
            for entry in entries.filter(id__lte=ids[-1]).iterator(chunk_size=2000):
                line = json.dumps(audit.archive_record(entry), ensure_ascii=False, sort_keys=True, default=str)
                handle.write(line.encode("utf-8") + b"\n")
                written += 1
        if written != len(ids):
            archive.unlink()
            raise CommandError(
                _("归档时记录数发生变化（%(w)d/%(n)d），未删除任何记录。") % {"w": written, "n": len(ids)}
            )
        checksum = _sha256(archive)
        sum_file = archive.with_name(archive.name + ".sha256")
        descriptor = os.open(sum_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(f"{checksum}  {archive.name}\n")
        return archive, checksum

    def _check_archive(self, archive: Path, checksum: str, ids: list[int]) -> None:
        recorded = archive.with_name(archive.name + ".sha256").read_text(encoding="ascii").split()[0]
        if _sha256(archive) != checksum or recorded != checksum:
            raise CommandError(_("归档文件校验和不符，未删除任何记录：%(file)s") % {"file": archive})
        seen: list[int] = []
        with gzip.open(archive, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                record = json.loads(line)
                if not audit.archive_record_intact(record):
                    raise CommandError(_("归档文件第%(line)d行的记录与其哈希不符，未删除任何记录。") % {"line": number})
                seen.append(record["id"])
        if seen != ids:
            raise CommandError(_("归档文件中的记录与数据库不一致，未删除任何记录。"))
