"""The written report's services: rounds, drafting, the workflow as a (state, step, role) table, reasons
per aspect, cleaning, versions, notifications and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from core.errors import ConflictError, UserError
from core.models import AuditEntry
from core.workflow import IllegalTransition
from ledger import services
from ledger.choices import Aspect, OfficerKind, WrittenStatus
from ledger.models import WrittenReport, WrittenSection
from ledger.tests.written_factories import actor, make_round, office, step, written_report
from ledger.workflow import may_review
from orgs.choices import Role
from reporting.models import Notification

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


# --- rounds ------------------------------------------------------------------------------------------------------


def test_the_office_opens_a_round_and_others_cannot(tree, ledgers, clock):
    written_round = make_round(tree)
    assert written_round.code == "2021" and written_round.opened_by == office(tree)
    assert AuditEntry.objects.filter(event="ledger.round.open", object_id=str(written_round.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.round_open(
            by=actor(tree.user(Role.UNION_ADMIN)), code="2022", title="2022年度", period_start=dt.date(2022, 1, 1),
            period_end=dt.date(2022, 12, 31), due_on=dt.date(2023, 1, 31),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "2021"}, "code", "报告期代码“2021”已被使用。"),
        ({"code": "20 21"}, "code", "报告期代码只能由字母、数字和“-”“_”组成，不超过 20 个字符。"),
        ({"title": " "}, "title", "请填写报告期名称。"),
        ({"period_end": dt.date(2020, 12, 31)}, "period_end", "报告期结束不能早于报告期开始。"),
        ({"due_on": dt.date(2020, 12, 31)}, "due_on", "报送截止日期不能早于报告期开始。"),
    ],
)
def test_a_round_is_validated_field_by_field(tree, ledgers, clock, fields, field, message):
    make_round(tree)
    values = {"code": "2022", "title": "2022年度", "period_start": dt.date(2021, 1, 1),
              "period_end": dt.date(2021, 12, 31), "due_on": dt.date(2022, 1, 31), **fields}  # fmt: skip
    with pytest.raises(UserError) as error:
        services.round_open(by=actor(office(tree)), **values)
    assert error.value.field == field and error.value.message == message


def test_a_round_update_checks_its_version(tree, ledgers, clock):
    written_round = make_round(tree)
    services.round_update(by=actor(office(tree)), round=written_round, version=1, due_on=dt.date(2022, 2, 15))
    written_round.refresh_from_db()
    assert written_round.due_on == dt.date(2022, 2, 15) and written_round.version == 2
    with pytest.raises(ConflictError):
        services.round_update(by=actor(office(tree)), round=written_round, version=1, title="旧版本")


# --- drafting ----------------------------------------------------------------------------------------------------


def test_starting_a_report_creates_its_nine_aspects(tree, ledgers, clock):
    report = written_report(tree, filled=False)
    assert list(report.sections.values_list("aspect", flat=True)) == list(range(1, 10))
    assert report.status == WrittenStatus.DRAFT
    with pytest.raises(UserError) as error:
        services.written_start(by=actor(tree.user(Role.REPORTER)), round=report.round, org=tree.ent_a1)
    assert error.value.field == "round"


def test_only_organisations_on_the_ledger_and_in_scope_start_a_report(tree, ledgers, clock):
    written_round = make_round(tree)
    admin = actor(tree.user(Role.UNION_ADMIN))
    with pytest.raises(UserError) as error:
        services.written_start(by=admin, round=written_round, org=tree.unit_a1)  # a unit is not on the ledger
    assert error.value.field == "org" and "未列入产改台账" in error.value.message
    with pytest.raises(PermissionDenied):
        services.written_start(by=actor(tree.user(Role.REPORTER)), round=written_round, org=tree.ent_b1)
    assert not WrittenReport.objects.exists()


def test_a_section_is_cleaned_of_scripts_and_attributes(tree, ledgers, clock):
    report = written_report(tree, filled=False)
    section = report.sections.get(aspect=Aspect.INNOVATION)
    services.section_save(
        by=actor(tree.user(Role.REPORTER)), section=section, version=report.version,
        body=f'<p onclick="x()">五小成果 <strong>12</strong> 项</p>{XSS}'
        '<table><tr><td colspan="2" style="x">合计</td></tr></table><a href="javascript:alert(1)">链接</a>',
    )  # fmt: skip
    section.refresh_from_db()
    assert "<script" not in section.body and "<img" not in section.body and "onerror" not in section.body
    assert "alert(1)" not in section.body and "onclick" not in section.body and "style" not in section.body
    assert "<p>五小成果 <strong>12</strong> 项</p>" in section.body
    assert '<td colspan="2">合计</td>' in section.body and "链接" in section.body and "<a" not in section.body
    row = AuditEntry.objects.filter(event="ledger.written.save").latest("id")
    assert row.object_id == str(report.pk) and row.after["aspect"] == Aspect.INNOVATION


def test_a_stale_version_is_refused_and_nothing_is_written(tree, ledgers, clock):
    report = written_report(tree, filled=False)
    section = report.sections.get(aspect=1)
    stale = report.version
    WrittenReport.objects.filter(pk=report.pk).update(version=F("version") + 1)  # someone saved first
    audits = AuditEntry.objects.count()
    with pytest.raises(ConflictError):
        services.section_save(by=actor(tree.user(Role.REPORTER)), section=section, version=stale, body="<p>新</p>")
    section.refresh_from_db()
    assert section.body == "" and AuditEntry.objects.count() == audits


def test_editing_a_submitted_report_is_refused(tree, ledgers, clock):
    report = step(tree, written_report(tree), "submit", tree.user(Role.REPORTER))
    section = report.sections.get(aspect=2)
    before = section.body
    with pytest.raises(UserError) as error:
        services.section_save(by=actor(tree.user(Role.REPORTER)), section=section, version=report.version, body="改")
    assert error.value.field == "status" and "已提交" in error.value.message
    section.refresh_from_db()
    assert section.body == before


def test_a_report_with_unwritten_aspects_cannot_be_submitted(tree, ledgers, clock):
    report = written_report(tree, filled=False)
    section = report.sections.get(aspect=1)
    services.section_save(by=actor(tree.user(Role.REPORTER)), section=section, version=report.version, body="<p>有</p>")
    with pytest.raises(UserError) as error:
        step(tree, report, "submit", tree.user(Role.REPORTER))
    assert error.value.message == "以下方面尚未填写：第2、3、4、5、6、7、8、9项。没有开展的工作请写明“无”或说明原因。"
    report.refresh_from_db()
    assert report.status == WrittenStatus.DRAFT


# --- the workflow as a table -------------------------------------------------------------------------------------

# Who: the enterprise's own reporter, its union's administrator, the office's reviewer, the other union's administrator.
WHO = {
    "enterprise": lambda tree: tree.user(Role.REPORTER, tree.ent_a1),
    "union": lambda tree: tree.user(Role.UNION_ADMIN, tree.union_a),
    "office": lambda tree: tree.user(Role.OFFICE_REVIEWER),
    "other_union": lambda tree: tree.user(Role.UNION_ADMIN, tree.union_b),
}
REASONS = {"return": {"reason": "请补充数据"}, "reopen": {"reason": "数据有误"}}


def _in_state(tree, state):
    report = written_report(tree)
    if state in ("submitted", "returned", "accepted"):
        step(tree, report, "submit", WHO["enterprise"](tree))
    if state == "returned":
        step(tree, report, "return", WHO["union"](tree), reason="补充")
    if state == "accepted":
        step(tree, report, "accept", WHO["office"](tree))
    report.refresh_from_db()
    return report


@pytest.mark.parametrize(
    ("state", "name", "who", "outcome"),
    [
        ("draft", "submit", "enterprise", "submitted"),
        ("returned", "submit", "enterprise", "submitted"),
        ("draft", "submit", "union", "submitted"),  # its union may submit on its behalf (EDIT over the subtree)
        ("draft", "accept", "enterprise", PermissionDenied),
        ("submitted", "accept", "enterprise", PermissionDenied),  # it cannot accept its own
        ("submitted", "return", "enterprise", PermissionDenied),
        ("submitted", "return", "union", "returned"),
        ("submitted", "accept", "union", "accepted"),
        ("submitted", "accept", "office", "accepted"),
        ("submitted", "return", "office", "returned"),
        ("submitted", "accept", "other_union", PermissionDenied),
        ("submitted", "submit", "enterprise", IllegalTransition),
        ("draft", "accept", "union", IllegalTransition),
        ("accepted", "return", "office", IllegalTransition),
        ("accepted", "reopen", "union", "returned"),
        ("accepted", "reopen", "enterprise", PermissionDenied),
        ("returned", "accept", "office", IllegalTransition),
    ],
)
def test_the_workflow_table(tree, ledgers, clock, state, name, who, outcome):
    report = _in_state(tree, state)
    user = WHO[who](tree)
    if isinstance(outcome, str):
        result = step(tree, report, name, user, **REASONS.get(name, {}))
        assert result.status == outcome
        assert AuditEntry.objects.filter(event=f"ledger.written.{name}", object_id=str(report.pk)).exists()
    else:
        audits = AuditEntry.objects.count()
        with pytest.raises(outcome):
            step(tree, report, name, user, **REASONS.get(name, {}))
        report.refresh_from_db()
        assert report.status == state and AuditEntry.objects.count() == audits


def test_a_union_never_reviews_its_own_report_the_office_does(tree, ledgers, clock):
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    report = written_report(tree, tree.union_a)
    step(tree, report, "submit", union_admin)
    assert not may_review(union_admin, tree.union_a) and may_review(union_admin, tree.ent_a1)
    with pytest.raises(PermissionDenied):
        step(tree, report, "accept", union_admin)
    assert step(tree, report, "accept", tree.user(Role.OFFICE_REVIEWER)).status == WrittenStatus.ACCEPTED


def test_a_return_keeps_reasons_per_aspect_and_resubmission_clears_them(tree, ledgers, clock):
    reporter, union = WHO["enterprise"](tree), WHO["union"](tree)
    report = step(tree, written_report(tree), "submit", reporter)
    Notification.objects.all().delete()
    step(tree, report, "return", union, section_reasons={"1": "缺少五小成果数", 5: "培训人次与报表不一致", "3": " "})
    reasons = dict(
        WrittenSection.objects.filter(report=report).exclude(return_reason="").values_list("aspect", "return_reason")
    )
    assert reasons == {1: "缺少五小成果数", 5: "培训人次与报表不一致"}
    row = AuditEntry.objects.filter(event="ledger.written.return").latest("id")
    assert row.detail["sections"] == {"1": "缺少五小成果数", "5": "培训人次与报表不一致"}
    notice = Notification.objects.get(user=reporter)
    assert "被退回" in notice.title and "缺少五小成果数" in notice.body and notice.url.endswith(f"/{report.pk}/")

    # The enterprise fixes aspect 1 and submits again: the reasons are gone, the union is told.
    report.refresh_from_db()
    section = report.sections.get(aspect=1)
    services.section_save(by=actor(reporter), section=section, version=report.version, body="<p>五小成果 12 项</p>")
    step(tree, report, "submit", reporter)
    assert not WrittenSection.objects.filter(report=report).exclude(return_reason="").exists()
    assert Notification.objects.filter(user=union, title__startswith="待审核").exists()


def test_a_return_needs_a_reason_somewhere(tree, ledgers, clock):
    report = step(tree, written_report(tree), "submit", WHO["enterprise"](tree))
    with pytest.raises(UserError) as error:
        step(tree, report, "return", WHO["union"](tree), reason=" ", section_reasons={2: ""})
    assert error.value.field == "reason" and error.value.message == "请填写退回原因（可按方面分别填写）。"
    with pytest.raises(UserError) as error:
        step(tree, report, "return", WHO["union"](tree), section_reasons={10: "不存在"})
    assert error.value.field == "section_reasons"
    report.refresh_from_db()
    assert report.status == WrittenStatus.SUBMITTED


def test_acceptance_is_notified_to_the_organisation_and_stamped(tree, ledgers, clock):
    reporter = WHO["enterprise"](tree)
    report = step(tree, written_report(tree), "submit", reporter)
    assert report.first_submitted_at is not None
    report = step(tree, report, "accept", WHO["union"](tree), section_comments={4: "示范点材料翔实"})
    assert report.accepted_at is not None
    assert report.sections.get(aspect=4).comment == "示范点材料翔实"
    assert Notification.objects.filter(user=reporter, title__startswith="书面报告已通过").exists()


def test_reviewers_comment_per_aspect_and_the_enterprise_cannot(tree, ledgers, clock):
    report = step(tree, written_report(tree), "submit", WHO["enterprise"](tree))
    section = report.sections.get(aspect=8)
    services.section_comment(by=actor(WHO["office"](tree)), section=section, version=report.version, comment="很好")
    section.refresh_from_db()
    assert section.comment == "很好"
    assert AuditEntry.objects.filter(event="ledger.written.comment", object_id=str(report.pk)).exists()
    report.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.section_comment(
            by=actor(WHO["enterprise"](tree)), section=section, version=report.version, comment="自评"
        )


def test_figures_show_accepted_data_and_ledger_facts(tree, ledgers, wf, clock):
    from analytics.tests.helpers import accepted_report
    from ledger.written_figures import figures_for

    yearly, _quarterly = wf
    accepted_report(tree, yearly, "2021", tree.ent_a1, nonmigrant=600, migrant=400, certified=300, college=200)
    services.officer_add(by=actor(tree.user(Role.REPORTER)), ledger=ledgers["E-A1"], kind=OfficerKind.INFO,
                         name="李四", position="工会办公室", started_on=dt.date(2021, 3, 1))  # fmt: skip
    report = written_report(tree, filled=False)
    other = written_report(tree, tree.ent_a2, report.round, filled=False)
    figures = figures_for([report, other])
    education = {f.label: f.text for f in figures[report.pk].of(Aspect.EDUCATION)}
    assert education["大专及以上学历占比"] == "33.33%"
    assert education["持证率（技能等级证书）"] == "50.00%"
    assert education["职业技能培训人次"] == "暂无数据"
    assert {f.label: f.text for f in figures[other.pk].of(Aspect.EDUCATION)}["大专及以上学历占比"] == "暂无数据"
    officers = {f.label: f.text for f in figures[report.pk].of(Aspect.OFFICERS)}
    assert officers == {"信息员": "李四（工会办公室）", "联络员": "未配备"}
    assert figures[report.pk].of(Aspect.METHOD)[0].text == "台账中尚未登记"
    assert figures[report.pk].of(Aspect.SPEAKERS)  # aspect 2 has the talk figures
