"""The policy pages: who may open what (anonymous → login, outside the scope 404, inside without the right 403),
the library searched in Chinese, the office's editing, an enterprise's page, notices and the uptake form, and the
uptake analytics exported as .xlsx and opened again."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry
from orgs.choices import Role
from policies.choices import MeasureStatus, UptakeStatus
from policies.models import Measure, NoticeRecipient, UptakeReport
from policies.tests.factories import make_measure, office_actor, open_round


@pytest.fixture
def office(tree):
    return tree.user(Role.OFFICE_ADMIN, tree.office)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("policies:library"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN])
def test_separated_administrators_have_no_library(client, tree, world, role):
    from accounts.tests.factories import login_verified

    login_verified(client, tree.user(role, tree.province))
    assert client.get(reverse("policies:library")).status_code == 404
    assert client.get(reverse("policies:measure", args=[world[1]["large"].pk])).status_code == 404


def test_library_finds_a_measure_by_a_word_inside_a_sentence(client, tree):
    make_measure(
        "失业保险基金支持职工技能提升补贴",
        body_text="依法参加失业保险的企业职工取得职业技能等级证书的，给予技能提升补贴。",
    )
    make_measure("首席技师制度", body_text="企业可设立首席技师岗位。", category="pay")
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    page = client.get(reverse("policies:library"), {"q": "职工取得证书补贴"}).content.decode()
    assert "失业保险基金支持职工技能提升补贴" in page and "首席技师制度" not in page
    assert "<mark>" in page
    filtered = client.get(reverse("policies:library"), {"category": "pay"}).content.decode()
    assert "首席技师制度" in filtered and "失业保险基金" not in filtered
    assert "没有找到符合条件的政策" in client.get(reverse("policies:library"), {"q": "航天"}).content.decode()


def test_drafts_are_the_offices_and_expired_measures_are_marked(client, tree, office):
    draft = make_measure("草稿政策", status=MeasureStatus.DRAFT)
    old = make_measure("以工代训补贴", valid_from=dt.date(2020, 4, 1), valid_to=dt.date(2020, 12, 31))
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("policies:measure", args=[draft.pk])).status_code == 404
    assert "草稿政策" not in client.get(reverse("policies:library")).content.decode()
    assert 'id="measure-expired"' in client.get(reverse("policies:measure", args=[old.pk])).content.decode()
    assert "以工代训补贴" not in client.get(reverse("policies:library"), {"valid_now": "on"}).content.decode()
    client.force_login(office)
    assert client.get(reverse("policies:measure", args=[draft.pk])).status_code == 200


def test_office_pages_are_404_outside_the_office_and_403_without_the_right(client, tree, world):
    _tree, m = world
    urls = [reverse("policies:measure_new"), reverse("policies:import"), reverse("policies:notices"),
            reverse("policies:measure_edit", args=[m["large"].pk])]  # fmt: skip
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert [client.get(u).status_code for u in urls] == [404] * 4
    assert (
        client.post(reverse("policies:measure_status", args=[m["large"].pk]), {"status": "repealed"}).status_code == 404
    )
    client.force_login(tree.user(Role.OFFICE_REVIEWER, tree.office))
    assert [client.get(u).status_code for u in urls] == [403] * 4
    assert client.get(reverse("policies:measure_orgs", args=[m["large"].pk])).status_code == 200
    assert Measure.objects.get(pk=m["large"].pk).status == MeasureStatus.PUBLISHED


def test_office_creates_a_measure_adds_a_rule_and_publishes(client, tree, office):
    client.force_login(office)
    response = client.post(reverse("policies:measure_new"), {
        "title": "首席技师制度", "issuer": "云南省人力资源和社会保障厅", "doc_number": "云人社发〔2021〕12号",
        "issued_on": "2021-02-26", "category": "pay", "valid_from": "2021-02-26", "body": "第一条",
    })  # fmt: skip
    measure = Measure.objects.get()
    assert response.status_code == 302 and response["Location"] == measure.get_absolute_url()
    client.post(
        reverse("policies:rule_add", args=[measure.pk]), {"field": "workers", "operator": "gte", "number": "300"}
    )
    client.post(reverse("policies:rule_add", args=[measure.pk]),
                {"field": "ownership", "operator": "in", "options": ["ownership:central", "industry:D"]})  # fmt: skip
    assert [str(r) for r in measure.rules.all()] == ["职工人数 不少于 300 人", "所有制 属于 中央驻滇企业"]
    bad = client.post(
        reverse("policies:rule_add", args=[measure.pk]),
        {"field": "workers", "operator": "gte", "number": "x"},
        follow=True,
    )
    assert "“职工人数”的取值应为不小于 0 的数字，“x”不是。" in bad.content.decode()
    client.post(
        reverse("policies:measure_status", args=[measure.pk]), {"status": "published", "version": measure.version}
    )
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PUBLISHED
    assert AuditEntry.objects.filter(event__startswith="policies.").count() == 4


def test_measure_form_shows_field_errors(client, tree, office):
    client.force_login(office)
    response = client.post(reverse("policies:measure_new"), {"title": "X", "issuer": "Y", "issued_on": "2021-13-01",
                                                               "category": "skills",
                                                               "valid_from": "2021-01-01"})  # fmt: skip
    assert response.status_code == 200 and not Measure.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_enterprise_page_lists_eligible_unused_and_its_notices(client, world):
    tree, m = world
    notice = __import__("policies.services", fromlist=["x"]).notice_send(by=office_actor(tree), measure=m["everyone"])
    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))
    page = client.get(reverse("policies:mine")).content.decode()
    assert "技能人才薪酬分配指引" in page and "大型企业职业技能培训补贴" not in page
    assert "政策推送：技能人才薪酬分配指引" in page and "未查看" in page
    mine = notice.recipients.get(org=tree.ent_a2)
    assert client.get(reverse("policies:notice", args=[mine.pk])).status_code == 200
    assert NoticeRecipient.objects.get(pk=mine.pk).opened_at is None  # GET never writes
    response = client.post(reverse("policies:notice_open", args=[mine.pk]))
    assert response.status_code == 302 and NoticeRecipient.objects.get(pk=mine.pk).opened_at is not None
    other = notice.recipients.get(org=tree.ent_a1)
    assert client.get(reverse("policies:notice", args=[other.pk])).status_code == 404
    assert client.get(reverse("policies:mine"), {"org": "E-A1"}).status_code == 404
    # The office's page of the notice counts the opening.
    client.force_login(tree.user(Role.OFFICE_ADMIN, tree.office))
    reach = client.get(reverse("policies:notices")).content.decode()
    assert "政策推送：技能人才薪酬分配指引" in reach


def test_uptake_form_submitted_through_the_page(client, world):
    tree, m = world
    report = open_round(tree).reports.get(org=tree.ent_a2)
    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))
    url = reverse("policies:uptake_form", args=[report.pk])
    mid = m["everyone"].pk
    missing = client.post(url, {"version": report.version, "action": "submit", f"used_{mid}": "0"})
    assert missing.status_code == 200 and "请选择未享受的原因" in missing.content.decode()
    done = client.post(url, {"version": report.version, "action": "submit", f"used_{mid}": "1",
                             f"beneficiaries_{mid}": "8", f"amount_{mid}": "4000"})  # fmt: skip
    assert done.status_code == 302
    assert UptakeReport.objects.get(pk=report.pk).status == UptakeStatus.SUBMITTED
    # Another enterprise never sees this form; an information officer reads it but cannot write it.
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    assert client.get(url).status_code == 404
    client.force_login(tree.user(Role.INFO_OFFICER, tree.ent_a2))
    assert client.get(url).status_code == 200
    assert client.post(url, {"version": 2, "action": "submit"}).status_code == 403


def test_office_sees_the_round_and_exports_it(client, world):
    tree, m = world
    round_ = open_round(tree)
    from core.actor import Actor
    from policies import services

    report = round_.reports.get(org=tree.ent_a2)
    services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, tree.ent_a2)), report=report, version=1, submit=True,
                         answers={m["everyone"].pk: {"used": False, "reason": "unaware"}})  # fmt: skip
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("policies:round", args=[round_.pk])).status_code == 404
    assert client.get(reverse("policies:round_xlsx", args=[round_.pk])).status_code == 404
    client.force_login(tree.user(Role.OFFICE_REVIEWER, tree.office))
    page = client.get(reverse("policies:round", args=[round_.pk])).content.decode()
    assert "无数据" in page and "0.00%" in page  # 昆明市 measure: nobody reported; the paycheck guide: 0 of 1
    response = client.get(reverse("policies:round_xlsx", args=[round_.pk]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = {r[0]: r for r in wb["各项政策使用率"].iter_rows(min_row=2, values_only=True)}
    assert rows["技能人才薪酬分配指引"][2:6] == (3, 1, 0, "0.00%")
    assert rows["技能人才薪酬分配指引"][9] == "不了解政策 1"
    assert rows["大型企业职业技能培训补贴"][5] == "无数据"
    assert [r[0] for r in wb["未享受任何政策的单位"].iter_rows(min_row=2, values_only=True)] == ["曲靖供电局"]
    assert AuditEntry.objects.filter(event="policies.uptake.export").count() == 1


def test_office_opens_a_round_from_the_page(client, world):
    tree, _m = world
    client.force_login(tree.user(Role.OFFICE_ADMIN, tree.office))
    response = client.post(
        reverse("policies:round_open"), {"year": 2021, "opens_on": "2022-01-05", "due_on": "2022-03-31"}
    )
    assert response.status_code == 302 and UptakeReport.objects.count() == 3
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert "2021年度政策落实情况" in client.get(reverse("policies:uptake")).content.decode()


def test_home_page_lists_unread_notices_and_the_form_due(client, world):
    tree, m = world
    from policies import services

    services.notice_send(by=office_actor(tree), measure=m["everyone"])
    open_round(tree, due_on=dt.date(2099, 3, 31))
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    home = client.get(reverse("home")).content.decode()
    assert "新的政策推送：政策推送：技能人才薪酬分配指引（昆明供电局）" in home
    assert "填报2021年度政策落实情况（昆明供电局）" in home


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_do_not_query_per_measure(client, world):
    tree, _m = world
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    urls = [reverse("policies:library"), reverse("policies:mine")]
    before = [_queries(client, url) for url in urls]
    for n in range(8):
        make_measure(f"新增政策{n}", rules=[("workers", "gte", str(100 + n)), ("ownership", "not_in", "private")])
    after = [_queries(client, url) for url in urls]
    assert after == before


def test_office_sees_who_a_measure_is_for_with_no_data_apart(client, world):
    tree, m = world
    client.force_login(tree.user(Role.OFFICE_REVIEWER, tree.office))
    page = client.get(reverse("policies:measure_orgs", args=[m["large"].pk])).content.decode()
    assert 'id="count-eligible">1<' in page and 'id="count-nodata">1<' in page
    assert 'data-org="E-B1"' in page and "职工人数无数据" in page
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("policies:measure_orgs", args=[m["large"].pk])).status_code == 404
