"""The demo's newsletter and information submissions, played through the services as the demo accounts.

- The series 云南工会通讯（快报）, issued by 云南省总工会研究室, whose first issue on the platform was 2021年第1期
  总第39期; the issues of 2021 up to 2 August (thirteen short ones, then the reference issue), so that the issue
  of 2021-08-02 is 2021年第14期 总第52期, carrying the reference editor's note and, as its first article, the
  opening of the speech (publishing/demo/speech.py), distributed to the 35 industry unions and the 16 prefectures;
  and a draft of the next issue.
- Submissions from the demo information officers in every state: a draft, submitted, being edited, returned
  with a reason, used in the draft issue, declined with a reason.

Idempotent: an issue is found by its date, a submission by its title; nothing already there is made again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from core.actor import Actor
from orgs.choices import OrgKind
from orgs.models import Organisation
from publishing.demo import speech
from publishing.models import Issue, Series, Submission
from publishing.services import issues, submissions

SERIES = {"name": "云南工会通讯（快报）", "issuing_body": "云南省总工会研究室", "first_running_number": 39,
          "first_year": 2021, "first_year_number": 1}  # fmt: skip
REFERENCE_DAY = dt.date(2021, 8, 2)
NEXT_DAY = dt.date(2021, 8, 16)
EARLIER = [
    (dt.date(2021, 1, 8), "省总工会部署2021年产业工人队伍建设改革工作"),
    (dt.date(2021, 1, 22), "云南电网公司“四个三”改革模式初见成效"),
    (dt.date(2021, 2, 5), "春节前走访慰问一线产业工人"),
    (dt.date(2021, 3, 5), "云天化集团推进“一权三能”队伍建设"),
    (dt.date(2021, 3, 19), "全省职业技能提升行动推进情况"),
    (dt.date(2021, 4, 2), "昆明市总工会召开产改工作推进会"),
    (dt.date(2021, 4, 16), "农垦集团“岗位微创新”活动成果丰硕"),
    (dt.date(2021, 4, 30), "庆祝“五一”劳模表彰暨产改经验交流"),
    (dt.date(2021, 5, 21), "云南在全国产改经验交流会上作交流发言"),
    (dt.date(2021, 6, 4), "建投集团职工驿站助力农民工学习提升"),
    (dt.date(2021, 6, 18), "昆明铁路局“三培养”制度纳入人才规划"),
    (dt.date(2021, 7, 2), "省产改领导小组成员单位协同推进改革"),
    (dt.date(2021, 7, 16), "上半年全省产改工作综述"),
]
# (officer, title, kind, what happens to it)
ITEMS = [
    ("info_officer", "昆明供电局举办配网带电作业技能比武", "news", "used"),
    ("info_officer", "修试所劳模创新工作室师带徒经验", "practice", "editing"),
    ("info_officer", "昆明供电局技能人才占比提升到 42%", "data", "returned"),
    ("info_officer_2", "曲靖供电局建立技能等级认定“直通车”", "practice", "submitted"),
    ("info_officer_2", "曲靖供电局职工创新成果发布会", "news", "declined"),
    ("info_officer_2", "曲靖供电局产改工作月度小结", "other", "draft"),
    ("info_officer_3", "云天化股份技术工人转型职业经理人 154 人", "data", "submitted"),
]


@dataclass
class DemoPublishingResult:
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def _actor(username: str) -> Actor | None:
    user = get_user_model().objects.filter(username=username).first()
    return Actor(user=user) if user else None


def _issue(by: Actor, series: Series, day: dt.date, *, note: str, article: dict, send, report, issue_it: bool):
    issue = issues.issue_create(by=by, series=series, date=day, editor_note=note)
    issues.article_add(by=by, issue=issue, version=issue.version, **article)
    issue.refresh_from_db()
    issues.distribution_set(by=by, issue=issue, version=issue.version, report=report, send=send)
    issue.refresh_from_db()
    if issue_it:
        issue = issues.issue_step(by=by, issue=issue, step="finalise", version=issue.version)
        issue = issues.issue_step(by=by, issue=issue, step="issue", version=issue.version)
    return issue


def load_demo_publishing(office_user) -> DemoPublishingResult:
    started = time.monotonic()
    result = DemoPublishingResult()
    by = Actor(user=office_user)
    series = Series.objects.filter(name=SERIES["name"]).first()
    if series is None:
        series = issues.series_save(by=by, **SERIES)
        result.created["series"] += 1
    send = list(Organisation.objects.filter(kind=OrgKind.UNION, closed_on__isnull=True).order_by("path"))
    send += list(Organisation.objects.filter(kind=OrgKind.PREFECTURE, closed_on__isnull=True).order_by("path"))
    report = list(speech.REPORT_LINE)
    for day, title in EARLIER:
        if Issue.objects.filter(series=series, date=day).exists():
            result.kept["issues"] += 1
            continue
        _issue(by, series, day, note="", send=send, report=report, issue_it=True,
               article={"title": title, "body": f"<p>{title}。（演示数据）</p>"})  # fmt: skip
        result.created["issues"] += 1
    if Issue.objects.filter(series=series, date=REFERENCE_DAY).exists():
        result.kept["issues"] += 1
    else:
        article = {"title": speech.TITLE, "date_line": speech.DATE_LINE, "speaker_line": speech.SPEAKER_LINE,
                   "body": "".join(speech.BODY)}  # fmt: skip
        issue = _issue(by, series, REFERENCE_DAY, note=speech.EDITOR_NOTE, article=article, send=send, report=report,
                       issue_it=True)  # fmt: skip
        result.created["issues"] += 1
        if issue.number_text != "2021年第14期 总第52期":
            result.warnings.append(_("示例快报期号为“%(n)s”，与参考文件不一致。") % {"n": issue.number_text})
    draft = Issue.objects.filter(series=series, date=NEXT_DAY).first()
    if draft is None:
        draft = issues.issue_create(by=by, series=series, date=NEXT_DAY, editor_note="")
        draft.refresh_from_db()
        issues.distribution_set(by=by, issue=draft, version=draft.version, report=report, send=send)
        draft.refresh_from_db()
        result.created["issues"] += 1
    else:
        result.kept["issues"] += 1
    for username, title, kind, fate in ITEMS:
        writer = _actor(username)
        if writer is None:
            result.warnings.append(_("缺少演示账号 %(u)s，跳过其报送信息。") % {"u": username})
            continue
        if Submission.objects.filter(title=title).exists():
            result.kept["submissions"] += 1
            continue
        org = next(m.org for m in writer.user.memberships.filter(is_active=True).select_related("org"))
        item = submissions.submission_create(
            by=writer, org=org, kind=kind, title=title, author=writer.user.full_name,
            body=f"<p>{title}。</p><p>本条为演示数据，展示信息报送和编辑流程。</p>", submit=fate != "draft",
        )  # fmt: skip
        if fate in ("editing", "used", "returned"):
            item = submissions.submission_step(by=by, submission=item, step="take", version=item.version)
        if fate == "used":
            draft.refresh_from_db()
            submissions.submission_step(by=by, submission=item, step="accept", version=item.version, issue=draft)
        elif fate == "returned":
            submissions.submission_step(by=by, submission=item, step="return", version=item.version,
                                        reason="请补充具体数据的统计口径和时间。")  # fmt: skip
        elif fate == "declined":
            submissions.submission_step(by=by, submission=item, step="decline", version=item.version,
                                        reason="内容与上期快报重复，暂不采用。")  # fmt: skip
        result.created["submissions"] += 1
    result.seconds = time.monotonic() - started
    return result


def summary_lines(result: DemoPublishingResult) -> list[str]:
    return [
        _("  信息与快报：快报新建 %(new)d 期，已存在 %(old)d 期（2021年8月2日为2021年第14期 总第52期）；"
          "报送信息新建 %(items)d 条，已存在 %(kept)d 条")
        % {"new": result.created["issues"], "old": result.kept["issues"], "items": result.created["submissions"],
           "kept": result.kept["submissions"]},
    ]  # fmt: skip
