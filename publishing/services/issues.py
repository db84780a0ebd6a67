"""Newsletter issues (快报): the series, an issue's note, articles and distribution; finalising and issuing.

Numbers. An issue is numbered when it is finalised (`issue_step(step="finalise")`), never before, so a draft
that is dropped burns no number: its running number (总第N期) follows the newest numbered issue of the series
(or the series' `first_running_number`), its year number (第N期) follows the newest numbered issue of the
same year (or starts at 1 — at `first_year_number` in the series' first year). Numbers follow the order of
finalising, so an issue may not be dated before the newest numbered one. A final issue may be reopened only
while it is the newest numbered one, which gives its numbers back.

Lock order: the series row (numbering), then the issue row, then the rows the step writes, the audit last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, richtext
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.models import Organisation
from publishing.choices import IssueStatus, RecipientLine
from publishing.models import Article, Issue, Recipient, Series, Submission
from publishing.services.submissions import MAX_BODY_CHARS, ensure_editor
from publishing.workflow import ISSUE_WORKFLOW

MAX_NOTE_CHARS = 5_000
MAX_LINE = 200
MAX_RECIPIENTS = 300
CONFLICT = "该期快报已被他人修改，请刷新后重试。"


# --- The series -------------------------------------------------------------------------------------------------


@atomic_retrying
def series_save(
    *,
    by: Actor,
    name: str,
    issuing_body: str,
    classification: str = "内部资料 注意保存",
    first_running_number: int = 1,
    first_year: int | None = None,
    first_year_number: int = 1,
    series: Series | None = None,
    version: int | None = None,
) -> Series:
    """Create the newsletter series, or change it (numbers already given stay as they are)."""
    ensure_editor(by)
    name, issuing_body = " ".join(str(name or "").split()), " ".join(str(issuing_body or "").split())
    if not name:
        raise UserError(_("请填写刊名。"), field="name")
    if not issuing_body:
        raise UserError(_("请填写编印单位。"), field="issuing_body")
    for value, field, label in (
        (first_running_number, "first_running_number", _("起始总期号")),
        (first_year_number, "first_year_number", _("起始年度的起始期号")),
    ):
        if not isinstance(value, int) or value < 1:
            raise UserError(_("%(label)s应为正整数。") % {"label": label}, field=field)
    fields = {
        "name": name[:100], "issuing_body": issuing_body[:100], "classification": str(classification or "")[:50],
        "first_running_number": first_running_number, "first_year": first_year, "first_year_number": first_year_number,
    }  # fmt: skip
    if series is None:
        series = Series.objects.create(**fields)
        audit.record(by, "publishing.series.save", series)
        return series
    before = audit.snapshot(series)
    versioned_update(series, version if version is not None else series.version, **fields)
    audit.record(by, "publishing.series.save", series, before=before)
    return series


# --- An issue ----------------------------------------------------------------------------------------------------


def _clean_note(note: Any) -> str:
    text = str(note or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise UserError(_("编者按不能超过 %(n)d 个字。") % {"n": MAX_NOTE_CHARS}, field="editor_note")
    return text


def _clean_line(value: Any, field: str, label: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > MAX_LINE:
        raise UserError(_("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": MAX_LINE}, field=field)
    return text


@atomic_retrying
def issue_create(*, by: Actor, series: Series, date: dt.date, editor_note: str = "", print_line: str = "") -> Issue:
    """A draft issue of `series` dated `date` (numbered only when finalised)."""
    ensure_editor(by)
    if not isinstance(date, dt.date):
        raise UserError(_("请填写快报日期。"), field="date")
    if by.user is None:
        raise UserError(_("快报必须由登录用户创建。"))
    issue = Issue.objects.create(
        series=series, date=date, editor_note=_clean_note(editor_note),
        print_line=_clean_line(print_line, "print_line", _("印发行")), created_by=by.user,
    )  # fmt: skip
    audit.record(by, "publishing.issue.create", issue)
    return issue


def _lock(issue: Issue, version: int | None) -> Issue:
    locked = lock_row(Issue.objects.select_related("series"), pk=issue.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_(CONFLICT))
    return locked


def _ensure_draft(issue: Issue) -> None:
    if issue.status != IssueStatus.DRAFT:
        raise UserError(
            _("快报当前状态为“%(status)s”，不能修改；撤回定稿后才能修改。") % {"status": issue.get_status_display()},
            field="status",
        )


def _bump(issue: Issue) -> None:
    versioned_update(issue, issue.version, conflict_message=_(CONFLICT))


@atomic_retrying
def issue_update(*, by: Actor, issue: Issue, version: int, **fields: Any) -> Issue:
    """Change a draft's date, editor's note or print line."""
    ensure_editor(by)
    unknown = set(fields) - {"date", "editor_note", "print_line"}
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    issue = _lock(issue, version)
    _ensure_draft(issue)
    changes: dict[str, Any] = {}
    if "date" in fields:
        if not isinstance(fields["date"], dt.date):
            raise UserError(_("请填写快报日期。"), field="date")
        changes["date"] = fields["date"]
    if "editor_note" in fields:
        changes["editor_note"] = _clean_note(fields["editor_note"])
    if "print_line" in fields:
        changes["print_line"] = _clean_line(fields["print_line"], "print_line", _("印发行"))
    before = audit.snapshot(issue)
    versioned_update(issue, version, conflict_message=_(CONFLICT), **changes)
    audit.record(by, "publishing.issue.update", issue, before=before)
    return issue


# --- Articles ----------------------------------------------------------------------------------------------------


def _clean_article(title: Any, date_line: Any, speaker_line: Any, body: Any) -> dict[str, str]:
    title = _clean_line(title, "title", _("标题"))
    if not title:
        raise UserError(_("请填写文章标题。"), field="title")
    cleaned = richtext.clean(str(body or ""))
    if len(cleaned) > MAX_BODY_CHARS:
        raise UserError(_("正文过长（不能超过 %(n)d 个字符）。") % {"n": MAX_BODY_CHARS}, field="body")
    return {
        "title": title,
        "date_line": _clean_line(date_line, "date_line", _("日期行"))[:100],
        "speaker_line": _clean_line(speaker_line, "speaker_line", _("署名行")),
        "body": cleaned,
    }


def _next_position(issue: Issue) -> int:
    return (issue.articles.aggregate(n=Max("position"))["n"] or 0) + 1


def add_article_from(*, issue: Issue, submission: Submission) -> Article:
    """The submission as the issue's last article (inside the accepting step, which audits it and locked both)."""
    author = submission.author or submission.org.name
    article = Article.objects.create(
        issue=issue, position=_next_position(issue), title=submission.title,
        speaker_line=author if author == submission.org.name else f"{submission.org.name} {author}",
        body=submission.body, submission=submission,
    )  # fmt: skip
    _bump(issue)
    return article


@atomic_retrying
def article_add(
    *, by: Actor, issue: Issue, version: int, title: str, date_line: str = "", speaker_line: str = "", body: str = ""
) -> Article:
    """An article written directly, as the issue's last."""
    ensure_editor(by)
    issue = _lock(issue, version)
    _ensure_draft(issue)
    fields = _clean_article(title, date_line, speaker_line, body)
    article = Article.objects.create(issue=issue, position=_next_position(issue), **fields)
    _bump(issue)
    audit.record(by, "publishing.article.add", issue, before=None, after={"article": fields["title"]},
                 detail={"article": article.pk})  # fmt: skip
    return article


@atomic_retrying
def article_update(*, by: Actor, article: Article, version: int, **fields: Any) -> Article:
    """Change an article's title, date line, speaker line or body; `version` is the issue's."""
    ensure_editor(by)
    issue = _lock(article.issue, version)
    _ensure_draft(issue)
    article = Article.objects.select_for_update().get(pk=article.pk, issue=issue)
    merged = {name: fields.get(name, getattr(article, name)) for name in ("title", "date_line", "speaker_line", "body")}
    cleaned = _clean_article(**merged)
    before = {name: getattr(article, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(article, name, value)
    article.save()
    _bump(issue)
    audit.record(by, "publishing.article.update", issue, before=before, after=cleaned, detail={"article": article.pk})
    return article


@atomic_retrying
def article_remove(*, by: Actor, article: Article, version: int) -> None:
    """Take an article out of a draft; an accepted submission it came from goes back to the editor's desk."""
    ensure_editor(by)
    issue = _lock(article.issue, version)
    _ensure_draft(issue)
    article = Article.objects.select_for_update().get(pk=article.pk, issue=issue)
    title = article.title
    if article.submission_id:
        from publishing.choices import SubmissionStatus

        Submission.objects.filter(pk=article.submission_id).update(
            status=SubmissionStatus.EDITING, issue=None, decided_at=None, version=F("version") + 1
        )
    article.delete()
    _bump(issue)
    audit.record(by, "publishing.article.remove", issue, before={"article": title}, after=None)


@atomic_retrying
def article_move(*, by: Actor, article: Article, version: int, direction: str) -> None:
    """Move an article one place up or down."""
    ensure_editor(by)
    if direction not in ("up", "down"):
        raise UserError(_("移动方向应为 up 或 down。"), field="direction")
    issue = _lock(article.issue, version)
    _ensure_draft(issue)
    ordered = list(issue.articles.order_by("position", "id"))
    index = next((i for i, a in enumerate(ordered) if a.pk == article.pk), None)
    if index is None:
        raise UserError(_("该文章不属于这期快报。"), field="article")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            Article.objects.filter(pk=item.pk).update(position=position)
    _bump(issue)
    audit.record(by, "publishing.article.move", issue, before=None, after={"order": [a.title for a in ordered]})


# --- Distribution ------------------------------------------------------------------------------------------------

Entry = Organisation | str


@atomic_retrying
def distribution_set(
    *, by: Actor, issue: Issue, version: int, report: Sequence[Entry] = (), send: Sequence[Entry] = ()
) -> Issue:
    """The issue's distribution: the 报 line and the 发 line, each organisations (shown by name, and the
    issue becomes visible to them once issued) and free text (“省总工会领导”), in order; duplicates dropped."""
    ensure_editor(by)
    issue = _lock(issue, version)
    _ensure_draft(issue)
    rows: list[Recipient] = []
    for line, entries in ((RecipientLine.REPORT, report), (RecipientLine.SEND, send)):
        seen: set = set()
        for entry in entries:
            if isinstance(entry, Organisation):
                key: Any = ("org", entry.pk)
                row = Recipient(issue=issue, line=line, org=entry)
            else:
                text = _clean_line(entry, line, _("发送对象"))
                if not text:
                    continue
                key = ("text", text)
                row = Recipient(issue=issue, line=line, text=text)
            if key in seen:
                continue
            seen.add(key)
            row.position = len(seen)
            rows.append(row)
    if len(rows) > MAX_RECIPIENTS:
        raise UserError(_("发送对象不能超过 %(n)d 个。") % {"n": MAX_RECIPIENTS}, field="send")
    before = _distribution(issue)
    issue.recipients.all().delete()
    Recipient.objects.bulk_create(rows)
    _bump(issue)
    audit.record(by, "publishing.issue.distribution", issue, before=before, after=_distribution(issue))
    return issue


def _distribution(issue: Issue) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {RecipientLine.REPORT: [], RecipientLine.SEND: []}
    for recipient in issue.recipients.select_related("org").order_by("line", "position", "id"):
        found[recipient.line].append(recipient.label)
    return found


# --- Finalise, reopen, issue -------------------------------------------------------------------------------------


def _numbers_for(series: Series, issue: Issue) -> dict[str, int]:
    numbered = Issue.objects.filter(series=series, running_number__isnull=False).exclude(pk=issue.pk)
    last = numbered.order_by("-running_number").first()
    if last is not None and issue.date < last.date:
        raise UserError(
            _("期号按定稿顺序编排：本期日期不能早于已编号的最新一期（%(number)s，%(date)s）。")
            % {"number": last.number_text, "date": f"{last.date:%Y-%m-%d}"},
            field="date",
        )
    running = last.running_number + 1 if last is not None else series.first_running_number
    year = issue.date.year
    in_year = numbered.filter(year=year).aggregate(n=Max("year_number"))["n"]
    if in_year is None:
        starts = series.first_year_number if (series.first_year == year and last is None) else 1
        year_number = starts
    else:
        year_number = in_year + 1
    return {"year": year, "year_number": year_number, "running_number": running}


@atomic_retrying
def issue_step(*, by: Actor, issue: Issue, step: str, version: int) -> Issue:
    """Finalise (numbers assigned), reopen (numbers given back) or issue (visible to its distribution)."""
    try:
        ISSUE_WORKFLOW.step(step)
    except KeyError:
        raise UserError(_("操作“%(step)s”不存在。") % {"step": step}, field="step") from None
    ensure_editor(by)
    series = lock_row(Series.objects, pk=issue.series_id)
    issue = _lock(issue, version)
    ISSUE_WORKFLOW.ensure_step(status=issue.status, step=step, status_label=issue.get_status_display())
    fields: dict[str, Any] = {}
    now = timezone.now()
    if step == "finalise":
        if not issue.articles.exists():
            raise UserError(_("快报至少要有一篇文章才能定稿。"), field="articles")
        if not issue.recipients.exists():
            raise UserError(_("请先设置报送和发送对象，再定稿。"), field="send")
        fields = {**_numbers_for(series, issue), "finalised_at": now}
    elif step == "reopen":
        newest = Issue.objects.filter(series=series, running_number__isnull=False).order_by("-running_number").first()
        if newest is not None and newest.pk != issue.pk:
            raise UserError(
                _("只能撤回最新一期的定稿（%(number)s）；之后已有快报编号。") % {"number": newest.number_text},
                field="status",
            )
        fields = {"year": None, "year_number": None, "running_number": None, "finalised_at": None}
    elif step == "issue":
        fields = {"issued_at": now}
    return transition(workflow=ISSUE_WORKFLOW, item=issue, step=step, by=by, event=f"publishing.issue.{step}", **fields)
