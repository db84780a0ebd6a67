"""The demo's nine-aspect written reports: the rounds "2020年度" and "2021年上半年", reports in every state.

Played through ledger.services.written by the people who would do it: an enterprise's reporter or a union's
administrator writes and submits; the enterprise's union reviews it, the office (its reviewer) reviews a
union's. Bodies are short paragraphs per aspect made from templates (some with a small table), with the
organisation's name and numbers drawn by code; what the story's people write is data in Chinese, not translated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ledger.choices import Aspect
from ledger.demo.common import IDLE_UNIONS, UNION_CODES, Cast, Timeline, plain_name, rng
from ledger.models import WrittenReport
from orgs.choices import OrgKind
from orgs.models import Organisation

D = dt.date


@dataclass(frozen=True)
class RoundSpec:
    code: str
    title: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    opened_on: dt.date
    period: str  # how the bodies name the period
    fates: tuple[tuple[str, int], ...]


# Every organisation on the ledger reports: the unions to the office, their enterprises to their union, except
# below the idle unions (a plan and a group, nothing more), where nobody writes.
WRITING_UNIONS = frozenset(UNION_CODES) - IDLE_UNIONS
ACCEPTED, LATE, BOUNCED, RETURNED, SUBMITTED, DRAFT, MISSING = (
    "accepted", "late", "bounced", "returned", "submitted", "draft", "missing",
)  # fmt: skip
ROUNDS = (
    RoundSpec(
        "2020", "2020年度", D(2020, 1, 1), D(2020, 12, 31), D(2021, 1, 31), D(2020, 12, 15), "2020年",
        ((ACCEPTED, 55), (LATE, 10), (BOUNCED, 12), (RETURNED, 6), (SUBMITTED, 4), (MISSING, 13)),
    ),
    RoundSpec(
        "2021H1", "2021年上半年", D(2021, 1, 1), D(2021, 6, 30), D(2021, 7, 31), D(2021, 7, 5), "2021年上半年",
        ((ACCEPTED, 35), (LATE, 5), (BOUNCED, 8), (RETURNED, 12), (SUBMITTED, 15), (DRAFT, 10), (MISSING, 15)),
    ),
)  # fmt: skip
# The demo accounts' own organisations show every state where they look: 云南电网's report waits for the
# office, 昆明供电局's was returned by its union with a reason on one aspect, and so on.
FORCED = {
    ("2020", "U01"): ACCEPTED, ("2020", "E001"): BOUNCED,
    ("2021H1", "U01"): SUBMITTED, ("2021H1", "E001"): RETURNED, ("2021H1", "E002"): DRAFT,
    ("2021H1", "E003"): ACCEPTED, ("2021H1", "E004"): SUBMITTED, ("2021H1", "U02"): MISSING,
}  # fmt: skip

OVERALL_REASON = "部分方面内容不够具体，请按各方面的审核意见修改后重新提交。"
SECTION_REASONS = {
    Aspect.INNOVATION: "创新工作室数量与统计报表不一致，请核对后修改。",
    Aspect.EDUCATION: "请补充学历提升和短期培训的人数、经费等具体数据。",
    Aspect.OFFICERS: "请写明信息员、联络员是否已报产改办备案。",
    Aspect.METHOD: "考核评价办法只写了原则，请补充量化指标和分值。",
    Aspect.MODELS: "请补充优秀产业工人代表的具体事迹。",
}
FIXES = {
    Aspect.INNOVATION: "已与统计报表核对，创新工作室数量以年报数据为准。",
    Aspect.EDUCATION: "已补充学历提升和培训的人数及经费使用情况。",
    Aspect.OFFICERS: "信息员、联络员名单已于近日报产改办备案。",
    Aspect.METHOD: "已补充量化指标 6 项及各项分值。",
    Aspect.MODELS: "已补充 2 名优秀产业工人代表的事迹材料。",
}

TABLE = "<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _table(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    return TABLE.format(
        head="".join(f"<th>{h}</th>" for h in head),
        rows="".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows),
    )


def body(aspect: int, org: Organisation, spec: RoundSpec) -> str:
    """A short paragraph (two to four sentences) on one aspect, some with a small table."""
    r = rng("written", spec.code, org.code, aspect)
    name, period = plain_name(org), spec.period
    n1, n2, n3 = r.randint(3, 30), r.randint(2, 12), r.randint(200, 3000)
    money = r.randint(5, 80)
    a = r.random() < 0.5
    if aspect == Aspect.INNOVATION:
        if a:
            return (
                f"<p>{period}，{name}深入开展“五小”活动和合理化建议征集，职工参与热情较高。现有各级创新工作室"
                f"和技师工作站 {n1} 个，本期新建 {n2} 个。职代会按期召开，审议通过涉及职工切身利益的事项 "
                f"{n2 + 3} 项。</p>"
                + _table(
                    ("项目", "本期", "累计"),
                    [("“五小”成果（项）", n2 * 3, n2 * 9), ("合理化建议（条）", n1 * 7, n1 * 20)],
                )
            )
        return (
            f"<p>{name}把职工创新作为产改的重要抓手，{period}共收到合理化建议 {n1 * 7} 条，采纳 {n1 * 2} 条，"
            f"创效约 {money} 万元。劳模（工匠）创新工作室围绕生产难题开展攻关，形成成果 {n2} 项。</p>"
        )
    if aspect == Aspect.SPEAKERS:
        if a:
            return (
                f"<p>{name}从劳模、工匠和技术骨干中选拔宣讲人 {n2} 名，组建宣讲团深入车间班组宣讲。"
                f"{period}共宣讲 {n1} 场，覆盖职工 {n3} 人次。</p>"
            )
        return (
            f"<p>{period}，{name}组织优秀产业工人代表开展“身边人讲身边事”宣讲 {n1} 场。宣讲内容结合岗位实际，"
            "职工反响较好。下一步将把宣讲延伸到项目一线和外包队伍。</p>"
        )
    if aspect == Aspect.DELEGATES:
        if a:
            return (
                f"<p>{name}现有两代表一委员 {n2 + 2} 名，其中一线职工 {n2} 名。{period}，代表委员围绕技能人才待遇、"
                f"职业技能等级认定等提出建议 {n2 + 1} 件，工会跟进对接国资委、人社等部门。</p>"
            )
        return (
            f"<p>{name}工会建立代表委员联系职工制度，{period}组织代表委员到一线调研 {n2} 次，"
            f"收集意见建议 {n1} 条，已向有关部门反映。</p>"
        )
    if aspect == Aspect.SITES:
        if a:
            return (
                f"<p>{name}所属第二批示范点 {max(1, n2 // 3)} 个，已制定示范点建设方案。{period}派出指导组 {n2} 次"
                "深入一线，帮助示范点梳理问题清单、完善工作台账。</p>"
            )
        return (
            f"<p>示范点建设按计划推进。{name}指导组{period}到示范点现场指导 {n2} 次，重点在技能人才培养和"
            "职工创新方面形成可复制的做法。</p>"
        )
    if aspect == Aspect.EDUCATION:
        if a:
            return (
                f"<p>{name}鼓励职工参加学历提升教育，{period}在读大专及以上学历职工 {n1 * 4} 人，取得学历 {n1} 人；"
                f"开展短期素质提升培训 {n3} 人次。</p>"
                + _table(("项目", "人数"), [("学历提升在读", n1 * 4), ("取得学历", n1), ("短期培训（人次）", n3)])
            )
        return (
            f"<p>{period}，{name}提取职工教育经费 {money} 万元，其中用于一线职工的比例超过六成。"
            f"与职业院校合作开办订单班，培训一线职工 {n3} 人次。</p>"
        )
    if aspect == Aspect.OFFICERS:
        if a:
            return (
                f"<p>{name}已明确产改信息员、联络员，并报产改办备案。{period}报送产改信息 {n1} 条，"
                f"被省级平台采用 {n2} 条。</p>"
                + _table(("岗位", "人数", "备案情况"), [("信息员", 1, "已备案"), ("联络员", 1, "已备案")])
            )
        return (
            f"<p>{name}在所属单位建立了信息员、联络员队伍，共 {n2 + 2} 人。{period}组织信息员培训 "
            f"{max(1, n2 // 4)} 期，信息报送的及时性和质量有所提高。</p>"
        )
    if aspect == Aspect.METHOD:
        if a:
            return (
                f"<p>{name}正在研究制定可量化的产改考核评价办法，拟将持证率、学历提升、创新成果等指标纳入考核，"
                "并与评先评优挂钩。</p>"
            )
        return (
            f"<p>{name}已将产改工作纳入年度综合考核，设置量化指标 {n2} 项、分值 {n2 * 5} 分，"
            "考核结果与单位负责人绩效挂钩。</p>"
        )
    if aspect == Aspect.CARE:
        if a:
            return (
                f"<p>{period}，{name}开展“两节”送温暖、金秋助学等活动，慰问困难职工 {n1 * 3} 人次，"
                f"发放慰问金 {money} 万元。建成职工之家和职工驿站 {n2} 个。</p>"
            )
        return (
            f"<p>{name}落实职工权益保障制度，集体合同覆盖全部在岗职工。{period}组织职工健康体检 {n3} 人次，"
            f"为一线职工办理互助保障 {n1 * 10} 人。</p>"
        )
    if a:
        return (
            f"<p>{name}{period}推荐评选各级劳模、工匠 {n2} 名，其中一线职工占 {r.randint(60, 90)}%。"
            f"建立优秀产业工人代表库，入库 {n1} 人。</p>"
        )
    return f"<p>{name}开展“最美产业工人”评选，选树优秀产业工人代表 {n2} 名，通过内网、公众号集中宣传其事迹。</p>"


def fate(spec: RoundSpec, org: Organisation) -> str:
    forced = FORCED.get((spec.code, org.code))
    if forced:
        return forced
    names, weights = zip(*spec.fates, strict=True)
    return rng("fate", spec.code, org.code).choices(names, weights)[0]


class WrittenStory:
    """Schedules one round's reports on the timeline through the written-report services (`api`)."""

    def __init__(self, api: Any, cast: Cast, timeline: Timeline, created: Counter, states: Counter):
        self.api, self.cast, self.timeline, self.created, self.states = api, cast, timeline, created, states
        self.rounds: dict[str, Any] = {}
        self.reports: dict[tuple[str, int], Any] = {}
        self.sections: dict[tuple[str, int], dict[int, Any]] = {}

    def open(self, spec: RoundSpec) -> None:
        def run() -> None:
            self.rounds[spec.code] = self.api.round_open(
                by=self.cast.office, code=spec.code, title=spec.title, period_start=spec.period_start,
                period_end=spec.period_end, due_on=spec.due_on,
            )  # fmt: skip
            self.created["rounds"] += 1

        self.timeline.add(spec.opened_on, run)

    def _version(self, key: tuple[str, int]) -> int:
        return WrittenReport.objects.filter(pk=self.reports[key].pk).values_list("version", flat=True).get()

    def report(self, spec: RoundSpec, org: Organisation, union: Organisation) -> None:
        """One organisation's report in the round, as its fate has it."""
        end = fate(spec, org)
        self.states[end] += 1
        if end == MISSING:
            return
        r = rng("written-days", spec.code, org.code)
        writer = self.cast.editor(org)
        reviewer = self.cast.union_admin(union) if org.kind == OrgKind.ENTERPRISE else self.cast.reviewer
        key = (spec.code, org.pk)
        start = spec.due_on - dt.timedelta(days=r.randint(12, 26))

        def begin() -> None:
            self.reports[key] = report = self.api.written_start(by=writer, round=self.rounds[spec.code], org=org)
            self.sections[key] = {s.aspect: s for s in report.sections.all()}
            self.created["reports"] += 1

        def save(aspect: int, text: str) -> None:
            section = self.sections[key].get(aspect)
            if section is not None:
                self.api.section_save(by=writer, section=section, version=self._version(key), body=text)

        def step(name: str, by, reason: str = "", section_reasons: dict | None = None) -> None:
            self.api.written_step(
                by=by, report=self.reports[key], step=name, version=self._version(key), reason=reason,
                section_reasons=section_reasons,
            )  # fmt: skip

        self.timeline.add(start, begin)
        aspects = list(Aspect.values)
        if end == DRAFT:
            aspects = sorted(r.sample(aspects, r.randint(3, 6)))
        for aspect in aspects:
            self.timeline.add(start + dt.timedelta(days=r.randint(0, 6)), lambda a=aspect: save(a, body(a, org, spec)))
        if end == DRAFT:
            return
        submitted = (
            spec.due_on + dt.timedelta(days=r.randint(3, 20)) if end == LATE
            else spec.due_on - dt.timedelta(days=r.randint(0, 4))
        )  # fmt: skip
        self.timeline.add(submitted, lambda: step("submit", writer))
        if end == SUBMITTED:
            return
        reviewed = submitted + dt.timedelta(days=r.randint(2, 12))
        if end in (BOUNCED, RETURNED):
            returned = sorted(r.sample(list(SECTION_REASONS), r.randint(1, 2)))
            reasons = {a: SECTION_REASONS[a] for a in returned}
            self.timeline.add(reviewed, lambda: step("return", reviewer, OVERALL_REASON, reasons))
            if end == RETURNED:
                return
            fixed = reviewed + dt.timedelta(days=r.randint(3, 10))
            for aspect in returned:
                text = body(aspect, org, spec) + f"<p>（根据审核意见补充）{FIXES[aspect]}</p>"
                self.timeline.add(fixed, lambda a=aspect, t=text: save(a, t))
            self.timeline.add(fixed, lambda: step("submit", writer))
            reviewed = fixed + dt.timedelta(days=r.randint(2, 8))
        self.timeline.add(reviewed, lambda: step("accept", reviewer))
