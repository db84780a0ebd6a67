"""Completeness pages: counts against a hand-made province, scope per role, the deadline-day page,
extensions and locks by the office only, and the .xlsx export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from core import registry
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_org
from reporting.choices import Timeliness as T
from reporting.models import DataSet, DeadlineExtension, Notification, PeriodLock
from reporting.periods import period_from_code
from reporting.tests.factories import at, open_report, submitted_report

URL = reverse("reporting:completeness")
DEADLINE_URL = reverse("reporting:deadline_day")
ROUND = {"dataset": "WF_Y", "period": "2021"}


@pytest.fixture
def province(tree, wf, clock):
    """2021 of WF_Y on 2022-02-06: A1 on time, A2 late, 昆明钢铁 (no union above) a draft, B1 nothing."""
    tree.km_direct = make_org(tree.kunming, "昆明钢铁", code="E-KM1", region_id="530100")
    clock.set(at(2022, 1, 20))
    submitted_report(tree, wf[0], org=tree.ent_a1)
    open_report(tree, wf[0], "2021", org=tree.km_direct)
    clock.set(at(2022, 2, 5))
    submitted_report(tree, wf[0], org=tree.ent_a2)
    clock.set(at(2022, 2, 6))
    reporter = tree.user(Role.REPORTER, tree.ent_b1)
    reporter.full_name = "张三"
    reporter.email = "zhangsan@example.cn"
    reporter.save()
    liaison = tree.user(Role.LIAISON, tree.ent_b1)
    liaison.full_name = "李四"
    liaison.save()
    return tree


def login(client, user):
    client.force_login(user)
    return client


def codes(response) -> list[str]:
    return [row.org.code for row, _group, _url in response.context["rows"]]


# --- The table --------------------------------------------------------------------------------------------------


def test_office_sees_the_province_with_counts_by_union_and_prefecture(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = client.get(URL, ROUND)

    total = response.context["total"]
    assert (total.expected, total.on_time, total.late, total.missing, total.share) == (4, 1, 1, 2, Decimal("50.00"))
    unions = [(g.name, g.expected, g.reported, g.share) for g in response.context["by_union"]]
    assert unions == [
        ("云南电网", 2, 2, Decimal("100.00")),
        ("中国铜业", 1, 0, Decimal("0.00")),
        ("无上级产业工会（直报产改办）", 1, 0, Decimal("0.00")),
    ]
    prefectures = [(g.name, g.on_time, g.late, g.missing) for g in response.context["by_prefecture"]]
    assert prefectures == [("昆明市", 1, 0, 1), ("曲靖市", 0, 1, 0), ("未设置州市", 0, 0, 1)]
    assert sorted(codes(response)) == ["E-A1", "E-A2", "E-B1", "E-KM1"]
    body = response.content.decode()
    assert "50.00%" in body and "确认延期" in body and "锁定报告期" in body


def test_the_current_round_is_the_default(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = client.get(URL)

    assert (response.context["dataset"].code, response.context["period"].code) == ("WF_Q", "2021Q4")
    assert response.context["round"].choices[0] == ("2021Q4", "2021年第四季度")


@pytest.mark.parametrize(
    ("role", "org", "expected", "may_act"),
    [
        (Role.UNION_ADMIN, "union_a", ["E-A1", "E-A2"], False),
        (Role.REPORTER, "ent_a1", ["E-A1"], False),
        (Role.LEADER, "province", ["E-A1", "E-A2", "E-B1", "E-KM1"], False),
        (Role.OFFICE_REVIEWER, "office", ["E-A1", "E-A2", "E-B1", "E-KM1"], True),
    ],
)
def test_each_role_sees_its_scope(client, province, role, org, expected, may_act):
    login(client, province.user(role, getattr(province, org)))

    response = client.get(URL, ROUND)

    assert sorted(codes(response)) == expected
    assert response.context["may_act"] is may_act
    assert ("确认延期" in response.content.decode()) is may_act
    if "E-B1" not in expected:
        assert "云南铜业股份" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN])
def test_roles_without_business_data_are_refused(client, province, settings, role):
    settings.DEMO_MODE = True  # the three administrators need a second factor otherwise
    login(client, province.user(role))

    assert client.get(URL, ROUND).status_code == 403
    assert client.get(DEADLINE_URL, ROUND).status_code == 403


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"timeliness": T.MISSING}, ["E-B1", "E-KM1"]),
        ({"timeliness": "unreported"}, ["E-B1", "E-KM1"]),
        ({"timeliness": T.LATE}, ["E-A2"]),
        ({"union": "U-A"}, ["E-A1", "E-A2"]),
        ({"union": "-"}, ["E-KM1"]),
        ({"prefecture": "530100"}, ["E-A1", "E-KM1"]),
        ({"q": "钢铁"}, ["E-KM1"]),
        ({"q": "e-b"}, ["E-B1"]),
    ],
)
def test_rows_are_filtered(client, province, params, expected):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = client.get(URL, {**ROUND, **params})

    assert sorted(codes(response)) == expected
    assert response.context["total"].expected == 4  # the counts stay those of the whole round


def test_a_period_of_the_wrong_type_is_explained(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    wrong = client.get(URL, {"dataset": "WF_Y", "period": "2021Q4"})
    garbage = client.get(URL, {"dataset": "WF_Y", "period": "明年"})

    assert wrong.status_code == 200
    assert wrong.context["form"].errors["period"] == ["“产业工人队伍基本情况”是年报，报告期“2021Q4”不是这一类型。"]
    assert garbage.context["form"].errors["period"] == [
        "“明年”不是有效的报告期代码，应为 2021、2021H1、2021Q2 或 202103 这样的形式。"
    ]


def test_table_query_budget_does_not_grow_with_orgs(client, province, django_assert_max_num_queries):
    login(client, province.user(Role.OFFICE_ADMIN))
    client.get(URL, ROUND)
    with django_assert_max_num_queries(40) as before:
        client.get(URL, ROUND)
    for n in range(12):
        make_org(province.union_b, f"铜业子公司{n}", code=f"E-B1-{n}", region_id="530300")
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(URL, ROUND)
    assert response.context["total"].expected == 16


# --- The deadline-day page ----------------------------------------------------------------------------------------


def test_deadline_page_lists_missing_reporters_with_their_contacts(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = client.get(DEADLINE_URL, ROUND)

    body = response.content.decode()
    assert 'hx-trigger="every 60s"' in body
    missing = {
        row.org.code: [m.user.full_name for m in contacts] for row, _g, contacts, *_rest in response.context["missing"]
    }
    assert missing == {"E-B1": ["张三", "李四"], "E-KM1": []}
    assert "张三" in body and "企业填报员" in body and "李四" in body and "联络员" in body
    assert "zhangsan@example.cn" in body
    assert "未设置填报员或联络员" in body
    assert response.context["missing_count"] == 2


def test_deadline_page_groups_the_missing_by_union_and_prefecture(client, province, clock):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = client.get(DEADLINE_URL, ROUND)

    by_union = {group.name: waiting for group, waiting in response.context["missing_by_union"]}
    by_prefecture = {group.name: waiting for group, waiting in response.context["missing_by_prefecture"]}
    assert by_union == {"中国铜业": 1, "无上级产业工会（直报产改办）": 1}
    assert by_prefecture == {"昆明市": 1, "未设置州市": 1}
    body = response.content.decode()
    assert 'id="missing-by-union"' in body and 'id="missing-by-prefecture"' in body

    # The refreshed part carries the groups too, and a group that has all reported drops out.
    clock.set(at(2022, 2, 6, 15))
    submitted_report(province, DataSet.objects.get(code="WF_Y"), org=province.ent_b1)
    live = client.get(DEADLINE_URL, ROUND, headers={"HX-Request": "true"})
    assert [g.name for g, _n in live.context["missing_by_union"]] == ["无上级产业工会（直报产改办）"]
    assert 'id="missing-by-union"' in live.content.decode()


def test_deadline_page_refresh_returns_only_the_live_part(client, province, clock):
    login(client, province.user(Role.OFFICE_ADMIN))
    clock.set(at(2022, 2, 6, 15))
    submitted_report(province, DataSet.objects.get(code="WF_Y"), org=province.ent_b1)

    response = client.get(DEADLINE_URL, ROUND, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body and 'id="live"' in body
    assert 'hx-trigger="every 60s"' in body  # the swapped part keeps polling
    assert "更新于 15:00:00" in body
    assert 'data-org="E-KM1"' in body and 'data-org="E-B1"' not in body


def test_deadline_page_for_a_union_admin_is_its_subtree_without_actions(client, province):
    login(client, province.user(Role.UNION_ADMIN, province.union_b))

    response = client.get(DEADLINE_URL, ROUND)

    assert [row.org.code for row, *_rest in response.context["missing"]] == ["E-B1"]
    assert "确认延期" not in response.content.decode()


def test_deadline_page_query_budget_does_not_grow(client, province, django_assert_max_num_queries):
    login(client, province.user(Role.OFFICE_ADMIN))
    client.get(DEADLINE_URL, ROUND)
    with django_assert_max_num_queries(40) as before:
        client.get(DEADLINE_URL, ROUND)
    for n in range(12):
        make_org(province.union_b, f"铜业子公司{n}", code=f"E-B1-{n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(DEADLINE_URL, ROUND)
    assert response.context["missing_count"] == 14


# --- Extensions and locks ----------------------------------------------------------------------------------------


def extend(client, **body):
    data = {**ROUND, "page": "deadline", "new_deadline": "2022-02-15", "reason": "暴雨致网络中断", **body}
    return client.post(reverse("reporting:extend_deadline"), data)


def test_office_extends_the_deadline_for_one_union_with_a_reason(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = extend(client, org="U-B", next=f"{DEADLINE_URL}?dataset=WF_Y&period=2021")

    assert response.status_code == 302
    assert response["Location"] == f"{DEADLINE_URL}?dataset=WF_Y&period=2021"
    extension = DeadlineExtension.objects.get()
    assert (extension.org.code, extension.new_deadline, extension.reason) == (
        "U-B",
        dt.date(2022, 2, 15),
        "暴雨致网络中断",
    )
    assert AuditEntry.objects.filter(event="reporting.deadline.extend", object_id=str(extension.pk)).count() == 1
    page = client.get(DEADLINE_URL, ROUND)
    rows = {
        row.org.code: (row.deadline, row.timeliness, extended)
        for row, _g, _c, extended, *_rest in page.context["missing"]
    }
    assert rows["E-B1"] == (dt.date(2022, 2, 15), T.PENDING, True)
    assert rows["E-KM1"] == (dt.date(2022, 1, 31), T.MISSING, False)
    assert "暴雨致网络中断" in page.content.decode()


@pytest.mark.parametrize("typed", ["中国铜业", "zgty"])
def test_the_extension_takes_the_organisation_by_name_or_pinyin_initials(client, province, typed):
    """Walk-through finding: the extension form took only a 机构代码."""
    login(client, province.user(Role.OFFICE_ADMIN))
    assert 'data-org-picker data-url="/orgs/pick.json?for=accept"' in client.get(DEADLINE_URL, ROUND).content.decode()

    response = extend(client, org=typed)

    assert response.status_code == 302
    assert DeadlineExtension.objects.get().org.code == "U-B"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"reason": "  "}, "reason", "请填写延期原因。"),
        ({"org": "NOPE"}, "org", "找不到机构“NOPE”：请输入机构名称、简称、拼音首字母或代码，并从列表中选择。"),
        ({"new_deadline": "2022-01-30"}, "new_deadline", "新截止日期须晚于原截止日期 2022-01-31。"),
    ],
)
def test_bad_extensions_are_explained_and_nothing_is_granted(client, province, body, field, message):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = extend(client, **body)

    assert response.status_code == 200
    assert response.context["extension_form"].errors == {field: [message]}
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize(
    ("role", "org"), [(Role.LEADER, "province"), (Role.UNION_ADMIN, "union_b"), (Role.REPORTER, "ent_b1")]
)
def test_only_the_office_extends_or_locks(client, province, role, org):
    login(client, province.user(role, getattr(province, org)))

    extended = extend(client, org="E-B1")
    locked = client.post(reverse("reporting:lock_period"), {**ROUND, "reason": "结束"})

    # Issue 10: the office's actions do not exist for anyone outside it (404, as for other branches' objects).
    assert (extended.status_code, locked.status_code) == (404, 404)
    assert not DeadlineExtension.objects.exists() and not PeriodLock.objects.exists()


def test_office_locks_and_unlocks_the_period(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    locked = client.post(reverse("reporting:lock_period"), {**ROUND, "reason": "年报结束"}, follow=True)
    no_reason = client.post(reverse("reporting:unlock_period"), {**ROUND, "reason": ""}, follow=True)
    still = PeriodLock.objects.filter(period=period_from_code("2021")).exists()
    unlocked = client.post(reverse("reporting:unlock_period"), {**ROUND, "reason": "补报一家"}, follow=True)

    assert "已锁定2021年度“产业工人队伍基本情况”" in locked.content.decode()
    assert "请填写解除锁定的原因。" in no_reason.content.decode()
    assert still
    assert "已解除2021年度“产业工人队伍基本情况”的锁定。" in unlocked.content.decode()
    assert not PeriodLock.objects.exists()
    assert AuditEntry.objects.filter(event__in=["reporting.period.lock", "reporting.period.unlock"]).count() == 2


def test_extensions_of_another_branch_are_not_shown(client, province):
    """Regression (issue 10): every viewer of the completeness pages saw every organisation's extensions."""
    office = login(client, province.user(Role.OFFICE_ADMIN))
    extend(office, org="U-B", reason="铜业停电延期")
    extend(office, org="E-A2", reason="曲靖网络故障延期", new_deadline="2022-02-16")
    extend(office, org="", reason="全省统一延期", new_deadline="2022-02-10")
    assert DeadlineExtension.objects.count() == 3

    seen = {}
    for role, org in [(Role.OFFICE_ADMIN, "office"), (Role.UNION_ADMIN, "union_a"), (Role.REPORTER, "ent_b1")]:
        login(client, province.user(role, getattr(province, org)))
        for url in (URL, DEADLINE_URL):
            response = client.get(url, ROUND)
            assert response.status_code == 200
            reasons = sorted(e.reason for e in response.context["extensions"])
            body = response.content.decode()
            assert all(r in body for r in reasons)
            seen[(role, url)] = (reasons, [r for r in ("铜业停电延期", "曲靖网络故障延期") if r in body])

    assert seen[(Role.OFFICE_ADMIN, URL)][0] == ["全省统一延期", "曲靖网络故障延期", "铜业停电延期"]
    for url in (URL, DEADLINE_URL):
        assert seen[(Role.UNION_ADMIN, url)] == (["全省统一延期", "曲靖网络故障延期"], ["曲靖网络故障延期"])
        assert seen[(Role.REPORTER, url)] == (["全省统一延期"], [])


def test_a_tampered_round_is_not_found(client, province):
    login(client, province.user(Role.OFFICE_ADMIN))

    response = extend(client, dataset="NOPE")

    assert response.status_code == 404


# --- Export -----------------------------------------------------------------------------------------------------------


def test_export_is_an_xlsx_of_the_filtered_rows_safe_against_formulas_and_audited(client, province):
    make_org(province.union_b, '=HYPERLINK("http://x","点我")', code="E-EVIL")
    login(client, province.user(Role.OFFICE_ADMIN))

    response = client.get(reverse("reporting:completeness_export"), {**ROUND, "timeliness": "unreported"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "单位代码",
        "单位名称",
        "产业系统公司工会",
        "州市",
        "填报状态",
        "报送情况",
        "截止日期",
        "首次提交时间",
        "最近提交时间",
    )
    by_code = {row[0]: row for row in rows[1:]}
    assert sorted(by_code) == ["E-B1", "E-EVIL", "E-KM1"]
    assert by_code["E-EVIL"][1] == '\'=HYPERLINK("http://x","点我")'
    assert by_code["E-B1"][2:6] == ("中国铜业", "未设置州市", "未填报", "未报送")
    entry = AuditEntry.objects.get(event="reporting.completeness.export")
    assert entry.detail == {"format": "xlsx", "rows": 3, "period": "2021", "filters": {"timeliness": "unreported"}}


def test_export_needs_the_export_right(client, province):
    login(client, province.user(Role.LIAISON, province.ent_a1))  # VIEW without EXPORT

    assert client.get(URL, ROUND).status_code == 200
    assert client.get(reverse("reporting:completeness_export"), ROUND).status_code == 403
    assert not AuditEntry.objects.filter(event="reporting.completeness.export").exists()


def test_export_is_rate_limited(client, province, settings):
    settings.EXPORT_RATE_PER_MINUTE = 1
    login(client, province.user(Role.OFFICE_ADMIN))
    url = reverse("reporting:completeness_export")

    first = client.get(url, ROUND)
    second = client.get(url, ROUND)

    assert first.status_code == 200
    assert (second.status_code, second["Retry-After"]) == (429, "60")


# --- Reminding from the deadline-day board ----------------------------------------------------------------------

REMIND_URL = reverse("reporting:remind")


@pytest.fixture
def late(province):
    """The province on 2022-02-06 (E-B1 and 昆明钢铁 late), with 中国铜业's administrator as a contact."""
    admin = province.user(Role.UNION_ADMIN, province.union_b)
    admin.full_name = "王五"
    admin.email = "wangwu@example.cn"
    admin.save()
    return province


def reminder_titles(username: str) -> list[str]:
    return list(
        Notification.objects.filter(user__username=username, title__contains="提醒").values_list("title", flat=True)
    )


def remind(client, **body):
    return client.post(REMIND_URL, {**ROUND, **body}, follow=True)


def test_deadline_board_shows_each_late_units_contacts_masked_for_whoever_may_not_see_them(client, late):
    login(client, late.user(Role.OFFICE_ADMIN))
    office = client.get(DEADLINE_URL, ROUND)
    login(client, late.user(Role.UNION_ADMIN, late.union_b))
    union = client.get(DEADLINE_URL, ROUND)

    contacts = {row.org.code: contacts for row, _g, contacts, *_rest in office.context["missing"]}
    assert [(c.name, c.role, c.union) for c in contacts["E-B1"]] == [
        ("张三", "企业填报员", ""),
        ("李四", "联络员", ""),
        ("王五", "产业系统公司工会管理员", "中国铜业"),
    ]
    # The office may see personal data in full; a union administrator sees the addresses masked (core.masking).
    assert 'href="mailto:wangwu@example.cn"' in office.content.decode()
    body = union.content.decode()
    assert "z***@example.cn" in body and "w***@example.cn" in body
    assert "zhangsan@example.cn" not in body and "wangwu@example.cn" not in body
    # Both may remind: a button on each late row, and one for all late units.
    assert office.content.decode().count('class="remind-form"') == 2
    assert "催报全部逾期单位（2 家）" in office.content.decode()
    assert body.count('class="remind-form"') == 1 and "催报全部逾期单位（1 家）" in body


def test_a_contacts_telephone_is_masked_on_the_board_and_shown_in_full_only_on_an_audited_post(client, late):
    from core.models import AuditEntry

    reporter = late.user(Role.REPORTER, late.ent_b1)
    reporter.phone = "13812345678"
    reporter.save()
    office = late.user(Role.OFFICE_ADMIN)
    login(client, office)
    board = client.get(DEADLINE_URL, ROUND).content.decode()
    assert "138****5678" in board and "13812345678" not in board
    url = reverse("reporting:contact_phone", args=["E-B1", reporter.pk])
    assert f'action="{url}"' in board

    assert client.get(url).status_code == 405  # a GET never reveals
    answer = client.post(url, {"reason": "截止日催报"})

    assert answer.status_code == 200 and "13812345678" in answer.content.decode()
    (row,) = AuditEntry.objects.filter(event="core.pii.reveal", object_id=str(reporter.pk))
    assert (row.detail["field"], row.detail["reason"]) == ("phone", "截止日催报")
    assert "13812345678" not in str(row.detail)


def test_only_reviewers_who_may_see_personal_data_reveal_a_contacts_telephone(client, late):
    reporter = late.user(Role.REPORTER, late.ent_b1)
    reporter.phone = "13812345678"
    reporter.save()
    url = reverse("reporting:contact_phone", args=["E-B1", reporter.pk])
    login(client, late.user(Role.UNION_ADMIN, late.union_b))  # reviews E-B1, may not see personal data in full
    board = client.get(DEADLINE_URL, ROUND).content.decode()
    assert "138****5678" in board and f'action="{url}"' not in board
    assert client.post(url).status_code == 403
    login(client, late.user(Role.UNION_ADMIN))  # 云南电网: E-B1 is outside its scope
    assert client.post(url).status_code == 404
    login(client, late.user(Role.OFFICE_ADMIN))  # someone who is not E-B1's contact
    other = late.user(Role.REPORTER, late.ent_a1)
    assert client.post(reverse("reporting:contact_phone", args=["E-B1", other.pk])).status_code == 404


def test_office_reminds_one_late_unit_with_the_daily_jobs_message_audited(
    client, late, django_capture_on_commit_callbacks
):
    login(client, late.user(Role.OFFICE_ADMIN))

    with django_capture_on_commit_callbacks(execute=True):
        response = remind(client, org="E-B1")

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{DEADLINE_URL}?dataset=WF_Y&period=2021"
    assert "已催报 1 家单位（站内通知和电子邮件）。" in body
    title = "逾期提醒：2021年度“产业工人队伍基本情况”已过截止日期"
    assert reminder_titles("reporter_e-b1") == [title]
    assert reminder_titles("union_admin_u-b") == ["逾期提醒：中国铜业有 1 家单位未报送2021年度“产业工人队伍基本情况”"]
    assert sorted(m.to[0] for m in mail.outbox) == ["wangwu@example.cn", "zhangsan@example.cn"]
    entry = AuditEntry.objects.get(event="reporting.reminder.manual")
    assert entry.username == late.user(Role.OFFICE_ADMIN).username
    assert entry.detail["org"] == "E-B1" and entry.detail["period"] == "2021"
    assert registry.event_label("reporting.reminder.manual") == "在截止日看板上催报"
    # The board marks the unit as reminded, with the time.
    row = body[body.index('data-org="E-B1"') :]
    row = row[: row.index("</tr>")]
    assert "已催报" in row and "已于 2月6日 10:00 催报" in row
    assert "已催报" not in body[body.index('data-org="E-KM1"') :].split("</tr>")[0]


def test_a_second_click_the_same_day_sends_nothing_and_says_when_and_by_whom(
    client, late, clock, django_capture_on_commit_callbacks
):
    office = late.user(Role.OFFICE_ADMIN)
    office.full_name = "赵六"
    office.save()
    login(client, office)
    with django_capture_on_commit_callbacks(execute=True):
        remind(client, org="E-B1")
    sent = (
        Notification.objects.count(),
        len(mail.outbox),
        AuditEntry.objects.filter(event__startswith="reporting.reminder").count(),
    )

    clock.set(at(2022, 2, 6, 16, 30))
    with django_capture_on_commit_callbacks(execute=True):
        again = remind(client, org="E-B1")

    assert (Notification.objects.count(), len(mail.outbox)) == sent[:2]
    assert AuditEntry.objects.filter(event__startswith="reporting.reminder").count() == sent[2]
    body = again.content.decode()
    assert f"{late.ent_b1.name}已于 2月6日 10:00 催报（赵六），今天不再重复催报。" in body
    assert "已催报 1 家单位" not in body

    # The next day it may be sent again.
    clock.set(at(2022, 2, 7, 9))
    login(client, office)  # a new day's session
    with django_capture_on_commit_callbacks(execute=True):
        third = remind(client, org="E-B1")
    assert "已催报 1 家单位" in third.content.decode()
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").count() == 2


def test_remind_all_reaches_every_late_unit_in_the_reviewers_scope(client, late, django_capture_on_commit_callbacks):
    login(client, late.user(Role.UNION_ADMIN, late.union_b))
    with django_capture_on_commit_callbacks(execute=True):
        union = remind(client, all="1")
    assert "已催报 1 家单位" in union.content.decode()
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").get().detail["org"] == "E-B1"

    login(client, late.user(Role.OFFICE_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        office = remind(client, all="1")
    body = office.content.decode()
    # E-B1 was reminded today already; 昆明钢铁 has nobody to tell, so nothing is sent or audited for it.
    assert "已于 2月6日 10:00 催报" in body and "今天不再重复催报" in body
    assert "昆明钢铁没有可通知的填报员或工会管理员，未发送。" in body
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").count() == 1


@pytest.mark.parametrize(("role", "org", "status"), [(Role.REPORTER, "ent_b1", 403), (Role.LEADER, "province", 403)])
def test_who_reviews_nothing_may_not_remind(client, late, role, org, status):
    login(client, late.user(role, getattr(late, org)))

    one = client.post(REMIND_URL, {**ROUND, "org": "E-B1"})
    every = client.post(REMIND_URL, {**ROUND, "all": "1"})

    assert (one.status_code, every.status_code) == (status, status)
    assert not Notification.objects.exists() and not mail.outbox
    assert not AuditEntry.objects.filter(event="reporting.reminder.manual").exists()


def test_a_unit_outside_the_reviewers_scope_is_not_found(client, late):
    login(client, late.user(Role.UNION_ADMIN, late.union_a))

    response = client.post(REMIND_URL, {**ROUND, "org": "E-B1"})
    unknown = client.post(REMIND_URL, {**ROUND, "org": "NO-SUCH"})

    assert (response.status_code, unknown.status_code) == (404, 404)
    assert not Notification.objects.exists()
    assert not AuditEntry.objects.filter(event="reporting.reminder.manual").exists()


def test_reminding_is_a_post(client, late):
    login(client, late.user(Role.OFFICE_ADMIN))
    assert client.get(REMIND_URL, {**ROUND, "org": "E-B1"}).status_code == 405
