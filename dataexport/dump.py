"""Everything the province holds on the platform, as documented CSV files in one .zip: no office is locked in.

`write_dump(target, progress=…)` writes into the open binary file `target`:

- `数据说明.xlsx`: the data dictionary. Sheet 表: each file, its table's name, app and row count. Sheet 字段:
  each column's machine name, Chinese name, type and meaning (choices as value=label; a reference as the file
  and column it points to; masked personal data). Sheet 未导出: the tables left out and why.
- one CSV per table of every project app, `<app>_<model>.csv` (RFC 4180, UTF-8 with BOM, the header row holds
  the columns' machine names, rows by id), each value as core/exports writes every CSV of the platform.
- `files/<stored name>`: every kept file (uploads, generated documents), named as its table's file column says.

The rules, kept here only: password fields and blind indexes are never written; encrypted personal data is
written masked (the full values leave the platform through no export); a table an app declares with
`registry.export_leaves_out` is left out with the reason the dictionary states (the audit log, for one, is the
audit administrator's to export).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext as _

from core import registry
from core.exports import write_csv, write_xlsx_sheets
from core.fields import BlindIndexField, EncryptedCharField

DICTIONARY = "数据说明.xlsx"
FILES = "files/"
CHUNK = 5_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    columns: tuple[models.Field, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def filename(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}.csv"


def _project_models() -> list[type[models.Model]]:
    """Concrete models of the apps that live in this project (not the libraries')."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != base:
            continue
        found += [m for m in config.get_models() if not m._meta.proxy and m._meta.managed]
    return found


def _written(field: models.Field) -> bool:
    return not isinstance(field, BlindIndexField) and field.name != "password"


def tables() -> tuple[list[Table], dict[str, str]]:
    """The tables written (in app and model order) and those left out with their reasons."""
    left_out = {label: str(why) for label, why in registry.export_left_out().items()}
    written = [
        Table(model, tuple(f for f in model._meta.concrete_fields if _written(f)))
        for model in _project_models()
        if model._meta.label not in left_out
    ]
    return written, left_out


def _value(field: models.Field, value: Any) -> Any:
    if isinstance(field, EncryptedCharField):
        return field.masked(value) if value else ""
    if isinstance(field, models.FileField):
        return str(value or "")
    return value


def _rows(table: Table) -> Iterator[list[Any]]:
    names = [f.attname for f in table.columns]
    query = table.model._base_manager.order_by("pk").values_list(*names)
    for row in query.iterator(chunk_size=CHUNK):
        yield [_value(field, value) for field, value in zip(table.columns, row, strict=True)]


def _kind(field: models.Field) -> str:
    if field.is_relation:
        return _("引用")
    kinds = {
        "AutoField": _("整数"), "BigAutoField": _("整数"), "IntegerField": _("整数"), "BigIntegerField": _("整数"),
        "SmallIntegerField": _("整数"), "PositiveIntegerField": _("整数"), "PositiveBigIntegerField": _("整数"),
        "PositiveSmallIntegerField": _("整数"), "DecimalField": _("小数"), "FloatField": _("小数"),
        "BooleanField": _("是否（TRUE/FALSE）"), "DateField": _("日期（年-月-日）"),
        "DateTimeField": _("日期时间（北京时间）"), "JSONField": _("JSON"), "FileField": _("文件"),
        "ImageField": _("文件"),
    }  # fmt: skip
    return str(kinds.get(field.get_internal_type(), _("文本")))


def _meaning(field: models.Field, files_of: dict[str, str]) -> str:
    if isinstance(field, EncryptedCharField):
        return _("个人信息，已脱敏（完整内容不随导出离开平台）")
    if field.is_relation and field.related_model is not None:
        target = files_of.get(field.related_model._meta.label)
        if target:
            return _("对应 %(file)s 的 id") % {"file": target}
        return _("对应“%(table)s”（未导出）的 id") % {"table": field.related_model._meta.verbose_name}
    if isinstance(field, models.FileField):
        return _("压缩包中 %(folder)s 下的同名文件") % {"folder": FILES}
    if field.choices:
        return "；".join(f"{value}={label}" for value, label in field.flatchoices)
    return str(field.help_text or "")


def _app_name(table: Table) -> str:
    return str(apps.get_app_config(table.model._meta.app_label).verbose_name)


def _dictionary(written: list[Table], counts: dict[str, int], left_out: dict[str, str]) -> bytes:
    files_of = {t.label: t.filename for t in written}
    sheets = [
        (
            _("表"),
            [_("文件"), _("表名"), _("所属模块"), _("行数")],
            [
                [
                    t.filename,
                    str(t.model._meta.verbose_name),
                    str(apps.get_app_config(t.model._meta.app_label).verbose_name),
                    counts[t.filename],
                ]
                for t in written
            ],
        ),
        (
            _("字段"),
            [_("文件"), _("列名"), _("中文名"), _("类型"), _("说明")],
            [
                [t.filename, f.attname, str(f.verbose_name), _kind(f), _meaning(f, files_of)]
                for t in written
                for f in t.columns
            ],
        ),
        (
            _("未导出"),
            [_("表名"), _("原因")],
            [[str(apps.get_model(label)._meta.verbose_name), why] for label, why in sorted(left_out.items())],
        ),
    ]
    buffer = io.BytesIO()
    write_xlsx_sheets(buffer, sheets)
    return buffer.getvalue()


def _stored_names(written: list[Table]) -> list[str]:
    names: set[str] = set()
    for table in written:
        for field in table.columns:
            if isinstance(field, models.FileField):
                names |= set(
                    table.model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
                )
    return sorted(name for name in names if name)


def write_dump(target: IO[bytes], *, progress: Progress | None = None) -> dict[str, int]:
    """Write the .zip into `target`; the counts of tables, rows and files written."""
    written, left_out = tables()
    stored = _stored_names(written)
    total, done = len(written) + len(stored) + 1, 0
    counts: dict[str, int] = {}
    files = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for table in written:
            with archive.open(table.filename, "w", force_zip64=True) as member:
                headers = [f.attname for f in table.columns]
                counts[table.filename] = write_csv(member, headers=headers, rows=_rows(table))
            done += 1
            if progress:
                progress(done, total)
        for name in stored:
            if default_storage.exists(name):
                with (
                    default_storage.open(name, "rb") as source,
                    archive.open(FILES + name, "w", force_zip64=True) as member,
                ):
                    shutil.copyfileobj(source, member, 1 << 20)
                files += 1
            done += 1
            if progress:
                progress(done, total)
        archive.writestr(DICTIONARY, _dictionary(written, counts, left_out))
    if progress:
        progress(total, total)
    return {"tables": len(written), "rows": sum(counts.values()), "files": files}
