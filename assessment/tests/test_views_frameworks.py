"""Framework pages (the office's method editor): who reaches them, every write through the services with
its audit row, the friendly text formats and their Chinese errors, frozen frameworks, and rules in words
that match what the score card prints."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import login_verified
from analytics.models import Indicator
from assessment import facts, services
from assessment.choices import Area, CriterionKind, FrameworkStatus, Grade, GradeMethod
from assessment.forms import formats as ff
from assessment.models import Criterion, CriterionResult, Dimension, Framework
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role

pytestmark = pytest.mark.django_db

# The counted facts every app registered (reporting's first, then the ledger's alerts by kind).
COUNTED_FACTS = "、".join(label for _key, label in facts.fact_choices(counted=True))
assert COUNTED_FACTS.startswith("逾期或未报送的报表（份）、被退回修改的次数")
RUBRIC_TEXT = "A|好|100%|机制健全\nB|较好|80|工作有推进\nC|一般|60%\nD|差|0%"


@pytest.fixture
def office(tree):
    return tree.user(Role.OFFICE_ADMIN)


@pytest.fixture
def by(office):
    return Actor(user=office)


@pytest.fixture
def client_office(client, office):
    client.force_login(office)
    return client


def build(by, *, year=2021, name="2021年度产改考核办法") -> Framework:
    """Skills 40 (certification rate vs 20%), organisation 60 (reports on time 20, rated 40), bonus, veto."""
    framework = services.framework_create(by=by, year=year, name=name)
    skills = services.dimension_save(
        by=by, framework=framework, code="SKILLS", name="素质提升", area=Area.SKILLS, points=D(40), sort_order=1
    )
    work = services.dimension_save(
        by=by, framework=framework, code="ORG", name="改革组织推进", area=Area.ORGANISATION, points=D(60), sort_order=2
    )
    services.criterion_save(
        by=by, dimension=skills, code="CERT", name="持证率达标", kind=CriterionKind.INDICATOR_TARGET, points=D(40),
        indicator=Indicator.objects.get(code="CERT_RATE"), target=D(20), floor=D("0.6"), cap=D(1), sort_order=1,
    )  # fmt: skip
    services.criterion_save(
        by=by, dimension=work, code="ONTIME", name="年报按时报送", kind=CriterionKind.FACT, points=D(20),
        fact="reports_on_time", sort_order=1,
    )  # fmt: skip
    services.criterion_save(
        by=by, dimension=work, code="GROUP", name="领导小组和工作机制", kind=CriterionKind.QUALITATIVE, points=D(40),
        levels=ff.parse_levels(RUBRIC_TEXT), combine="trimmed_mean", sort_order=2,
    )  # fmt: skip
    services.criterion_save(
        by=by, dimension=work, code="BONUS", name="加分项", kind=CriterionKind.BONUS, points=D(5),
        items=[{"code": "HONOUR", "label": "获全国荣誉", "points": "3"},
               {"code": "LATE", "label": "逾期报送", "points": "1", "fact": "reports_late"}],
        sort_order=3,
    )  # fmt: skip
    services.criterion_save(
        by=by, dimension=work, code="VETO", name="一票否决", kind=CriterionKind.VETO, points=D(0),
        grade_cap=Grade.PASS, fact="reports_late", sort_order=4,
    )  # fmt: skip
    framework.refresh_from_db()
    return framework


@pytest.fixture
def framework(by):
    return build(by)


@pytest.fixture
def frozen(tree, by, framework):
    services.framework_issue(by=by, framework=framework, version=framework.version)
    services.round_open(by=by, framework=framework, name="2021年度考核", orgs=[tree.ent_a1, tree.ent_a2])
    framework.refresh_from_db()
    return framework


def events(name: str) -> int:
    return AuditEntry.objects.filter(event=name).count()


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow(client, url, data=None):
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200
    return response


def criterion_post(framework, kind, **fields) -> dict:
    dimension = framework.dimensions.get(code="ORG")
    data = {"code": "NEW", "name": "新指标", "dimension": dimension.pk, "kind": kind, "points": "10", "curve": "linear",
            "floor": "60", "cap": "100", "combine": "mean"}  # fmt: skip
    data.update(fields)
    return data


# --- Who reaches the pages ------------------------------------------------------------------------------------


def urls(framework):
    dimension = framework.dimensions.get(code="ORG")
    criterion = Criterion.objects.get(dimension=dimension, code="GROUP")
    gets = [
        reverse("assessment:framework_list"),
        reverse("assessment:framework_create"),
        reverse("assessment:framework_detail", args=[framework.pk]),
        reverse("assessment:framework_settings", args=[framework.pk]),
        reverse("assessment:dimension_create", args=[framework.pk]),
        reverse("assessment:dimension_edit", args=[dimension.pk]),
        reverse("assessment:criterion_create", args=[dimension.pk]),
        reverse("assessment:criterion_edit", args=[criterion.pk]),
    ]
    posts = [
        reverse("assessment:framework_copy", args=[framework.pk]),
        reverse("assessment:framework_issue", args=[framework.pk]),
        reverse("assessment:dimension_delete", args=[dimension.pk]),
        reverse("assessment:dimension_move", args=[dimension.pk]),
        reverse("assessment:criterion_delete", args=[criterion.pk]),
        reverse("assessment:criterion_move", args=[criterion.pk]),
    ]
    return gets, posts


@pytest.mark.parametrize(
    "role",
    [
        Role.UNION_ADMIN,
        Role.REPORTER,
        Role.DEPT_VIEWER,
        Role.LEADER,
        Role.GUIDANCE,
        Role.SYS_ADMIN,
    ],
)
def test_everyone_outside_the_office_gets_404_and_changes_nothing(client, tree, framework, role):
    gets, posts = urls(framework)
    if role == Role.SYS_ADMIN:
        login_verified(client, tree.user(role))  # the three administrators need both factors
    else:
        client.force_login(tree.user(role))
    audit_rows = AuditEntry.objects.exclude(event__startswith="access.").count()

    answers = {url: client.get(url).status_code for url in gets}
    answers |= {url: client.post(url, {"direction": "up", "version": 1}).status_code for url in posts}

    assert answers == dict.fromkeys(answers, 404)
    assert Framework.objects.count() == 1
    assert Dimension.objects.filter(framework=framework).count() == 2
    assert Criterion.objects.filter(dimension__framework=framework).count() == 5
    assert AuditEntry.objects.exclude(event__startswith="access.").exclude(event__startswith="auth.").count() == (
        audit_rows
    )


def test_an_office_reviewer_gets_403_and_changes_nothing(client, tree, framework):
    """Issue 10: in the office but not running the assessment: the pages are theirs to know of, not to use."""
    gets, posts = urls(framework)
    client.force_login(tree.user(Role.OFFICE_REVIEWER))

    answers = {url: client.get(url).status_code for url in gets}
    answers |= {url: client.post(url, {"direction": "up", "version": 1}).status_code for url in posts}

    assert answers == dict.fromkeys(answers, 403)
    assert Criterion.objects.filter(dimension__framework=framework).count() == 5


def test_office_administrator_opens_every_page(client_office, framework):
    gets, _posts = urls(framework)
    assert {url: client_office.get(url).status_code for url in gets} == dict.fromkeys(gets, 200)


def test_pages_refuse_get_on_writes(client_office, framework):
    _gets, posts = urls(framework)
    assert {url: client_office.get(url).status_code for url in posts} == dict.fromkeys(posts, 405)


# --- List and creation ----------------------------------------------------------------------------------------


def test_list_by_year_and_version_with_status_and_frozen_note(client_office, by, frozen, django_assert_max_num_queries):
    draft = services.framework_create(by=by, year=2021, name="2021年度产改考核办法（修订）", copy_from=frozen)
    services.framework_create(by=by, year=2022, name="2022年度办法")

    with django_assert_max_num_queries(12):
        response = client_office.get(reverse("assessment:framework_list"))

    html = page(response)
    assert html.index("2022年度") < html.index("2021年度")
    assert "第2版" in html and "第1版" in html
    assert "已用于 1 个考核轮次，已冻结" in html
    row = html.split(f'id="framework-{frozen.pk}"')[1].split("</tr>")[0]
    assert "复制为新版本" in row and "已发布" in row
    draft_row = html.split(f'id="framework-{draft.pk}"')[1].split("</tr>")[0]
    assert "复制此版本" in draft_row and "草稿" in draft_row and "2021年 · 2021年度产改考核办法（第1版）" in draft_row


def test_create_an_empty_framework(client_office):
    response = client_office.post(
        reverse("assessment:framework_create"), {"year": "2023", "start": "empty", "name": "2023年度考核办法"}
    )

    framework = Framework.objects.get(year=2023)
    assert response.status_code == 302 and response.url == framework.get_absolute_url()
    assert (framework.number, framework.name, framework.status) == (1, "2023年度考核办法", FrameworkStatus.DRAFT)
    assert framework.copied_from is None and not framework.dimensions.exists()
    entry = AuditEntry.objects.get(event="assessment.framework.create")
    assert entry.object_id == str(framework.pk) and entry.detail == {"copied_from": None}


def test_copy_last_year_copies_dimensions_criteria_and_renames_the_year(client_office, framework):
    response = client_office.post(reverse("assessment:framework_create"), {"year": "2022", "start": "last_year"})

    copy = Framework.objects.get(year=2022)
    assert response.status_code == 302
    assert copy.name == "2022年度产改考核办法" and copy.copied_from == framework and copy.number == 1
    assert list(copy.dimensions.values_list("code", "points")) == [("SKILLS", D(40)), ("ORG", D(60))]
    copied = Criterion.objects.filter(dimension__framework=copy)
    assert sorted(copied.values_list("code", flat=True)) == ["BONUS", "CERT", "GROUP", "ONTIME", "VETO"]
    assert copied.get(code="GROUP").levels == Criterion.objects.get(pk=framework.dimensions.get(code="ORG")
                                                                     .criteria.get(code="GROUP").pk).levels  # fmt: skip
    assert AuditEntry.objects.get(event="assessment.framework.create", object_id=str(copy.pk)).detail == {
        "copied_from": framework.pk
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": "2023", "start": "last_year"}, "start", "2022年还没有考核方案，不能复制上年。"),
        ({"year": "2023", "start": "empty", "name": " "}, "name", "请填写方案名称。"),
        ({"year": "2023", "start": "version"}, "copy_from", "请选择要复制的方案版本。"),
        ({"year": "1999", "start": "empty", "name": "x"}, "year", "确保该值大于或等于2000。"),
    ],
)
def test_create_refusals_are_shown_on_the_form(client_office, framework, data, field, message):
    response = client_office.post(reverse("assessment:framework_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in page(response)
    assert Framework.objects.count() == 1


def test_copy_this_version_makes_the_next_version_of_the_same_year(client_office, framework):
    response = follow(client_office, reverse("assessment:framework_copy", args=[framework.pk]))

    copy = Framework.objects.get(year=2021, number=2)
    assert copy.copied_from == framework and copy.status == FrameworkStatus.DRAFT
    assert messages_of(response) == ["已复制为“2021年度产改考核办法（第2版）”（草稿），可以修改后发布。"]
    assert Criterion.objects.filter(dimension__framework=copy).count() == 5


# --- Settings -------------------------------------------------------------------------------------------------


def settings_data(framework, **changes):
    data = {
        "version": framework.version, "name": "改名后的办法", "total_points": "100", "grade_method": "quotas",
        "threshold_excellent": "92", "threshold_good": "85", "threshold_pass": "65", "quota_excellent": "10",
        "quota_good": "30", "peer_group": "industry", "notes": "试行",
    }  # fmt: skip
    data.update(changes)
    return data


def test_settings_are_saved_through_the_service(client_office, framework):
    response = client_office.post(
        reverse("assessment:framework_settings", args=[framework.pk]), settings_data(framework)
    )

    assert response.status_code == 302
    framework.refresh_from_db()
    assert framework.name == "改名后的办法" and framework.grade_method == GradeMethod.QUOTAS
    assert framework.thresholds == {"excellent": "92", "good": "85", "pass": "65"}
    assert framework.quotas == {"excellent": "10", "good": "30"}
    assert framework.peer_group == "industry" and framework.notes == "试行"
    entry = AuditEntry.objects.get(event="assessment.framework.update")
    assert entry.before["name"] == "2021年度产改考核办法" and entry.after["name"] == "改名后的办法"
    html = page(client_office.get(framework.get_absolute_url()))
    assert "按比例：优秀 10%，良好 30%；其余 ≥ 65 分为合格，否则不合格" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"threshold_good": "95"}, "threshold_excellent", "分数线应为：优秀 > 良好 > 合格 ≥ 0。"),
        ({"quota_excellent": "60", "quota_good": "50"}, "quota_excellent", "优秀与良好的比例之和不能超过 100%。"),
        ({"total_points": "١٠٠"}, "total_points", "请输入数字。"),
        ({"total_points": "0"}, "total_points", "满分应大于 0。"),
    ],
)
def test_settings_refusals(client_office, framework, changes, field, message):
    response = client_office.post(
        reverse("assessment:framework_settings", args=[framework.pk]), settings_data(framework, **changes)
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    framework.refresh_from_db()
    assert framework.name == "2021年度产改考核办法"
    assert events("assessment.framework.update") == 0


def test_settings_with_a_stale_version_are_refused(client_office, by, framework):
    stale = framework.version
    services.framework_update(by=by, framework=framework, version=stale, name="别人先改了")

    response = client_office.post(
        reverse("assessment:framework_settings", args=[framework.pk]), settings_data(framework, version=stale)
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该记录已被他人修改，请刷新后重试。"]
    framework.refresh_from_db()
    assert framework.name == "别人先改了"
    assert response.context["form"]["version"].value() == str(framework.version)


# --- Dimensions -----------------------------------------------------------------------------------------------


def test_dimension_add_edit_move_delete(client_office, framework):
    create = reverse("assessment:dimension_create", args=[framework.pk])
    response = client_office.post(create, {"code": "GROWTH", "name": "队伍壮大", "area": "growth", "points": "10"})
    added = Dimension.objects.get(framework=framework, code="GROWTH")
    assert response.status_code == 302 and added.sort_order == 3 and added.points == D(10)

    client_office.post(
        reverse("assessment:dimension_edit", args=[added.pk]),
        {"code": "GROWTH", "name": "队伍壮大（改）", "area": "growth", "points": "15"},
    )
    added.refresh_from_db()
    assert (added.name, added.points, added.sort_order) == ("队伍壮大（改）", D(15), 3)

    client_office.post(reverse("assessment:dimension_move", args=[added.pk]), {"direction": "up"})
    assert list(framework.dimensions.order_by("sort_order").values_list("code", flat=True)) == [
        "SKILLS", "GROWTH", "ORG",
    ]  # fmt: skip

    response = follow(client_office, reverse("assessment:dimension_delete", args=[added.pk]))
    assert not Dimension.objects.filter(pk=added.pk).exists()
    assert messages_of(response)[-1] == "已删除维度“队伍壮大（改）”及其 0 项考核指标。"
    saved, moved, deleted = (events(f"assessment.dimension.{e}") for e in ("save", "move", "delete"))
    assert (saved, moved, deleted) == (2 + 2, 1, 1)  # two saves are the fixture's


def test_moving_the_first_dimension_up_changes_nothing(client_office, framework):
    first = framework.dimensions.get(code="SKILLS")
    client_office.post(reverse("assessment:dimension_move", args=[first.pk]), {"direction": "up"})
    assert list(framework.dimensions.order_by("sort_order").values_list("code", flat=True)) == ["SKILLS", "ORG"]
    assert events("assessment.dimension.move") == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "ORG", "name": "重复", "area": "growth", "points": "5"}, "code", "本方案已有代码为“ORG”的维度。"),
        ({"code": "org", "name": "小写", "area": "growth", "points": "5"}, "code",
         "代码只能包含大写字母、数字和下划线，并以字母开头。"),
        ({"code": "NEG", "name": "负数", "area": "growth", "points": "-1"}, "points", "确保该值大于或等于0。"),
    ],
)  # fmt: skip
def test_dimension_refusals(client_office, framework, data, field, message):
    response = client_office.post(reverse("assessment:dimension_create", args=[framework.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert framework.dimensions.count() == 2


# --- Criteria -------------------------------------------------------------------------------------------------


def test_a_qualitative_criterion_is_saved_from_the_text_format(client_office, framework):
    data = criterion_post(
        framework, "qualitative", code="PLAN", name="实施方案", levels=RUBRIC_TEXT, combine="consensus",
        kinds=["enterprise"], ownerships=["central", "provincial"], industries=["D"],
        indicator=Indicator.objects.get(code="CERT_RATE").pk, fact="reports_on_time",  # not read for this kind
    )  # fmt: skip
    response = client_office.post(
        reverse("assessment:criterion_create", args=[framework.dimensions.get(code="ORG").pk]), data
    )

    criterion = Criterion.objects.get(code="PLAN")
    assert response.status_code == 302
    assert criterion.levels == [
        {"code": "A", "label": "好", "share": "1", "description": "机制健全"},
        {"code": "B", "label": "较好", "share": "0.8", "description": "工作有推进"},
        {"code": "C", "label": "一般", "share": "0.6", "description": ""},
        {"code": "D", "label": "差", "share": "0", "description": ""},
    ]
    assert (criterion.combine, criterion.points, criterion.sort_order) == ("consensus", D(10), 5)
    assert criterion.indicator is None and criterion.fact == ""
    assert (criterion.kinds, criterion.ownerships, criterion.industries) == (
        ["enterprise"],
        ["central", "provincial"],
        ["D"],
    )
    entry = AuditEntry.objects.filter(event="assessment.criterion.save", object_id=str(criterion.pk)).get()
    assert entry.before is None and entry.after["code"] == "PLAN"


def test_an_indicator_criterion_in_bands(client_office, framework):
    data = criterion_post(
        framework, "indicator_target", code="COLLEGE", indicator=Indicator.objects.get(code="COLLEGE_RATE").pk,
        target="25", curve="bands", bands="90%|60%\n１００|100%\n\n80|30", floor="", cap="",
    )  # fmt: skip
    client_office.post(reverse("assessment:criterion_create", args=[framework.dimensions.get(code="ORG").pk]), data)

    criterion = Criterion.objects.get(code="COLLEGE")
    assert criterion.bands == [["0.8", "0.3"], ["0.9", "0.6"], ["1", "1"]]
    assert (criterion.target, criterion.curve, criterion.floor, criterion.cap) == (D(25), "bands", D("0.6"), D(1))


def test_bonus_items_with_a_counted_fact_by_its_name(client_office, framework):
    data = criterion_post(
        framework, "deduction", code="RETURNS", points="6",
        items="RETURNED|报表被退回|0.5|被退回修改的次数\nALERT|预警未整改|2",
    )  # fmt: skip
    client_office.post(reverse("assessment:criterion_create", args=[framework.dimensions.get(code="ORG").pk]), data)

    assert Criterion.objects.get(code="RETURNS").items == [
        {"code": "RETURNED", "label": "报表被退回", "points": "0.5", "fact": "reports_returned"},
        {"code": "ALERT", "label": "预警未整改", "points": "2"},
    ]


@pytest.mark.parametrize(
    ("kind", "fields", "field", "messages"),
    [
        ("qualitative", {"levels": "A|好|100%\nB|较好|abc"}, "levels",
         ["第 2 行：得分比例“abc”不是数字，请写成百分数，如 80%。"]),
        ("qualitative", {"levels": "A|好|100%|说明|多余\nA|差|0%\nb|一般|50%"}, "levels",
         ["第 1 行：应为“代码|名称|得分比例|说明”四项（说明可省略），用“|”分隔。",
          "第 3 行：代码“b”只能包含大写字母、数字和下划线，以字母开头，不超过 32 个字符。"]),
        ("qualitative", {"levels": "A|好|100%\nA|差|0%"}, "levels", ["第 2 行：代码“A”与第 1 行重复。"]),
        ("qualitative", {"levels": "A|好|1\nB|较好|0.8\nC|差|0"}, "levels",
         ["第 2 行：得分比例请写成百分数（如 80 或 80%），“0.8”会被当作 0.8%。"]),
        ("qualitative", {"levels": "A|好|100%"}, "levels",
         ["定性评价至少要有两个等级，每个等级有不重复的代码、名称和得分比例。"]),
        ("qualitative", {"levels": "A|好|120%\nB|差|٥٠"}, "levels",
         ["第 1 行：得分比例应在 0% 到 100% 之间。", "第 2 行：得分比例“٥٠”不是数字，请写成百分数，如 80%。"]),
        ("indicator_target", {"indicator": ""}, "indicator", ["请选择该项依据的指标。"]),
        ("indicator_rank", {"indicator": "CERT", "floor": "80", "cap": "80"}, "cap", ["满分线应高于起评线。"]),
        ("indicator_target", {"indicator": "CERT", "curve": "bands", "bands": "90%"}, "bands",
         ["第 1 行：应为“下限|得分比例”两项，用“|”分隔，如 90%|80%。"]),
        ("indicator_target", {"indicator": "CERT", "target": "0"}, "target",
         ["目标值须大于 0：达标率按“实际值 ÷ 目标值”（越小越好的指标为“目标值 ÷ 实际值”）计算，"
          "目标为 0 时无法计算。目标就是“没有”的事项（如事故），请改用扣分项或一票否决。"]),
        ("indicator_improvement", {"indicator": "CERT"}, "full_at", ["请填写得满分所需的提升幅度（大于 0）。"]),
        ("fact", {}, "fact", ["请选择该项依据的平台事实。"]),
        ("bonus", {"items": ""}, "items", ["请列出加（扣）分事项，每项有代码、名称和大于 0 的分值。"]),
        ("bonus", {"items": "X|事项|0\nY|事项|1|不存在的事实"}, "items",
         ["第 1 行：分值“0”应为大于 0、小于 1000 的数字。",
          f"第 2 行：没有名为“不存在的事实”的可计数平台事实，可选：{COUNTED_FACTS}。"]),
        ("veto", {}, "grade_cap", ["请选择发生否决事项后的最高等次。"]),
        ("qualitative", {"levels": RUBRIC_TEXT, "points": ""}, "points", ["请填写分值。"]),
        ("qualitative", {"levels": RUBRIC_TEXT, "code": "GROUP"}, "code", ["本方案已有代码为“GROUP”的考核指标。"]),
    ],
)  # fmt: skip
def test_criterion_errors_are_shown_in_chinese_naming_the_line(client_office, framework, kind, fields, field, messages):
    if fields.get("indicator") == "CERT":
        fields["indicator"] = Indicator.objects.get(code="CERT_RATE").pk
    before = Criterion.objects.count()

    response = client_office.post(
        reverse("assessment:criterion_create", args=[framework.dimensions.get(code="ORG").pk]),
        criterion_post(framework, kind, **fields),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == messages
    html = page(response)
    for message in messages:
        assert message.replace("“", "&ldquo;") in html or message in html
    assert Criterion.objects.count() == before
    assert events("assessment.criterion.save") == 5  # the fixture's


def test_changing_the_kind_resets_what_the_old_kind_read(client_office, framework):
    cert = Criterion.objects.get(dimension__framework=framework, code="CERT")
    data = criterion_post(framework, "qualitative", code="CERT", name="持证工作评价", levels=RUBRIC_TEXT)
    data["dimension"] = cert.dimension_id

    response = client_office.post(reverse("assessment:criterion_edit", args=[cert.pk]), data)

    assert response.status_code == 302
    cert.refresh_from_db()
    assert (cert.kind, cert.indicator, cert.target, cert.name) == ("qualitative", None, None, "持证工作评价")
    assert len(cert.levels) == 4
    entry = AuditEntry.objects.filter(event="assessment.criterion.save", object_id=str(cert.pk)).first()
    assert entry.before["kind"] == "indicator_target" and entry.after["kind"] == "qualitative"


def test_the_edit_form_shows_the_stored_lists_in_the_text_format(client_office, framework):
    bonus = Criterion.objects.get(dimension__framework=framework, code="BONUS")
    group = Criterion.objects.get(dimension__framework=framework, code="GROUP")

    bonus_form = client_office.get(reverse("assessment:criterion_edit", args=[bonus.pk])).context["form"]
    group_form = client_office.get(reverse("assessment:criterion_edit", args=[group.pk])).context["form"]

    assert bonus_form["items"].value() == "HONOUR|获全国荣誉|3\nLATE|逾期报送|1|逾期或未报送的报表（份）"
    assert group_form["levels"].value() == "A|好|100%|机制健全\nB|较好|80%|工作有推进\nC|一般|60%\nD|差|0%"
    assert [f.name for f in group_form.kind_fields()] == ["points", "levels", "combine"]


def test_the_form_shows_only_the_fields_of_the_chosen_kind_and_htmx_redraws_them(client_office, framework):
    url = reverse("assessment:criterion_create", args=[framework.dimensions.get(code="ORG").pk])

    full = page(client_office.get(url + "?kind=veto"))
    partial = client_office.get(url, {"kind": "qualitative", "points": "12"}, headers={"HX-Request": "true"})

    assert 'name="grade_cap"' in full and 'name="veto_fact"' in full and 'name="indicator"' not in full
    assert 'name="points"' not in full  # a veto has no points
    body = page(partial)
    assert body.lstrip().startswith('<div id="kind-fields"')
    assert 'name="levels"' in body and 'name="combine"' in body and 'name="indicator"' not in body
    assert 'value="12"' in body and "<html" not in body


def test_criterion_move_and_delete(client_office, framework):
    ontime = Criterion.objects.get(dimension__framework=framework, code="ONTIME")
    client_office.post(reverse("assessment:criterion_move", args=[ontime.pk]), {"direction": "down"})
    order = Criterion.objects.filter(dimension=ontime.dimension).order_by("sort_order")
    assert list(order.values_list("code", flat=True)) == ["GROUP", "ONTIME", "BONUS", "VETO"]

    response = follow(client_office, reverse("assessment:criterion_delete", args=[ontime.pk]))
    assert not Criterion.objects.filter(pk=ontime.pk).exists()
    assert messages_of(response) == ["已删除考核指标“年报按时报送”。"]
    assert (events("assessment.criterion.move"), events("assessment.criterion.delete")) == (1, 1)


# --- Frozen frameworks ----------------------------------------------------------------------------------------

FROZEN = "“2021年度产改考核办法（第1版）”已用于考核轮次，不能再修改；如需调整，请复制为新版本。"


def test_a_frozen_framework_is_read_only_and_offers_a_copy(client_office, frozen):
    html = page(client_office.get(frozen.get_absolute_url()))

    assert "此方案已用于以下考核轮次，已冻结" in html and "2021年度考核" in html
    assert "复制为新版本" in html
    assert reverse("assessment:framework_settings", args=[frozen.pk]) not in html
    assert "criterion_edit" not in html and "/edit/" not in html and "删除维度" not in html


def test_writes_to_a_frozen_framework_are_refused_with_the_reason(client_office, frozen):
    group = Criterion.objects.get(dimension__framework=frozen, code="GROUP")
    org = frozen.dimensions.get(code="ORG")
    snapshot = list(Criterion.objects.filter(dimension__framework=frozen).values())
    before = AuditEntry.objects.count()

    edit = client_office.post(
        reverse("assessment:criterion_edit", args=[group.pk]),
        {**criterion_post(frozen, "qualitative", code="GROUP", levels=RUBRIC_TEXT), "dimension": org.pk},
        follow=True,
    )
    posts = [
        reverse("assessment:criterion_delete", args=[group.pk]),
        reverse("assessment:criterion_move", args=[group.pk]),
        reverse("assessment:dimension_delete", args=[org.pk]),
        reverse("assessment:dimension_move", args=[org.pk]),
    ]
    answers = [client_office.post(url, {"direction": "up"}, follow=True) for url in posts]
    settings_page = client_office.get(reverse("assessment:framework_settings", args=[frozen.pk]), follow=True)

    assert messages_of(edit) == [FROZEN]
    assert [messages_of(r) for r in answers] == [[FROZEN]] * 4
    assert messages_of(settings_page) == [FROZEN]
    assert list(Criterion.objects.filter(dimension__framework=frozen).values()) == snapshot
    assert frozen.dimensions.count() == 2
    assert AuditEntry.objects.count() == before


def test_copying_a_frozen_framework_gives_an_editable_draft(client_office, frozen):
    follow(client_office, reverse("assessment:framework_copy", args=[frozen.pk]))
    copy = Framework.objects.get(year=2021, number=2)

    html = page(client_office.get(copy.get_absolute_url()))

    assert copy.status == FrameworkStatus.DRAFT and "已冻结" not in html
    assert reverse("assessment:framework_settings", args=[copy.pk]) in html


# --- Problems, issuing, rules in words ------------------------------------------------------------------------


def test_problems_are_shown_and_block_issuing_until_fixed(client_office, by, framework):
    skills = framework.dimensions.get(code="SKILLS")
    services.dimension_save(
        by=by, framework=framework, dimension=skills, code="SKILLS", name="素质提升", area=Area.SKILLS, points=D(30)
    )

    html = page(client_office.get(framework.get_absolute_url()))
    assert "各维度分值之和为 90.00 分，与满分 100.00 分不符。" in html
    assert "维度“素质提升”中适用于全部单位的指标分值合计 40.00 分，超过维度分值 30.00 分。" in html
    assert 'id="issue" disabled' in html

    refused = follow(
        client_office, reverse("assessment:framework_issue", args=[framework.pk]), {"version": framework.version}
    )
    assert messages_of(refused) == [
        "方案还不能发布：各维度分值之和为 90.00 分，与满分 100.00 分不符。；"
        "维度“素质提升”中适用于全部单位的指标分值合计 40.00 分，超过维度分值 30.00 分。；"
        "维度“素质提升”的指标分值合计 40.00 分，与维度分值 30.00 分不符。"
    ]
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.DRAFT and events("assessment.framework.issue") == 0

    services.dimension_save(
        by=by, framework=framework, dimension=skills, code="SKILLS", name="素质提升", area=Area.SKILLS, points=D(40)
    )
    html = page(client_office.get(framework.get_absolute_url()))
    assert 'id="no-problems"' in html
    issued = follow(
        client_office, reverse("assessment:framework_issue", args=[framework.pk]), {"version": framework.version}
    )
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.ISSUED
    assert messages_of(issued) == ["已发布“2021年度产改考核办法（第1版）”，可以在此方案上开启考核轮次。"]
    assert events("assessment.framework.issue") == 1


def test_issuing_with_a_stale_version_is_refused(client_office, by, framework):
    stale = framework.version
    services.framework_update(by=by, framework=framework, version=stale, notes="先改")

    response = follow(client_office, reverse("assessment:framework_issue", args=[framework.pk]), {"version": stale})

    assert messages_of(response) == ["该记录已被他人修改，请刷新后重试。"]
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.DRAFT


def test_each_rule_in_words_is_the_one_the_score_card_prints(client_office, by, tree, frozen):
    round_ = frozen.rounds.get()
    services.round_compute(by=by, round_=round_)
    participant = round_.participants.get(org=tree.ent_a1)
    printed = {
        r.criterion.code: r.detail["rule"]
        for r in CriterionResult.objects.filter(participant=participant).select_related("criterion")
    }

    html = page(client_office.get(frozen.get_absolute_url()))

    assert printed == {
        "CERT": "线性计分：60%及以下得0分，100%及以上得满分，之间按比例",
        "ONTIME": "达到得满分，未达到不得分",
        "GROUP": "评分等级：好 100%；较好 80%；一般 60%；差 0%；去掉一个最高和一个最低后平均（不足三人时直接平均）",
        "BONUS": "上限 5.00 分",
        "VETO": "发生即最高评为“合格”",
    }
    for code, rule in printed.items():
        row = html.split(f'id="criterion-{Criterion.objects.get(dimension__framework=frozen, code=code).pk}"')[1]
        assert rule.replace("“", "&ldquo;").replace("”", "&rdquo;") in row.split("</tr>")[0] or rule in row


def test_detail_explains_normalisation_and_what_each_rule_reads(client_office, framework):
    html = page(client_office.get(framework.get_absolute_url()))

    assert "每个维度按“适用指标得分 ÷ 适用指标满分 × 维度分值”折算" in html
    assert "目标值：20%" in html and "达标率 = 实际值 ÷ 目标值" in html
    assert "平台事实：年报按时报送并通过验收" in html
    assert "较好（80%）：工作有推进" in html
    assert "获全国荣誉：每次 +3 分（由产改办逐次登记）" in html
    assert "逾期报送：每次 +1 分（按平台事实“逾期或未报送的报表（份）”自动计次）" in html
    assert "平台事实“逾期或未报送的报表（份）”发生即否决。" in html
    assert "上限 5" in html


# --- The text formats -----------------------------------------------------------------------------------------


def test_text_formats_round_trip():
    levels = ff.parse_levels(RUBRIC_TEXT)
    assert ff.parse_levels(ff.levels_text(levels)) == levels
    bands = ff.parse_bands("100%|100%\n90%|80%")
    assert ff.bands_text(bands) == "90%|80%\n100%|100%"
    items = ff.parse_items("A|甲|1.5\nB|乙|2|reports_late")
    assert ff.parse_items(ff.items_text(items)) == items


@pytest.mark.parametrize("typed", ["1e3", "1_000", "NaN", "inf", "١٢٣", "12.5.1", ""])
def test_numbers_outside_plain_ascii_decimals_are_refused(typed):
    assert ff.number(typed) is None


def test_full_width_digits_are_accepted():
    assert ff.number("１２.５") == D("12.5")
    with pytest.raises(ValidationError):
        ff.parse_bands("90|x")


# --- In Chromium ------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_edits_a_criterion_in_chromium(live_server, page):
    """The kind selector redraws the fields (htmx) without a console error under the CSP; screenshots go to
    build/screenshots/framework-*.png."""
    from pathlib import Path

    from playwright.sync_api import expect

    from orgs.tests.factories import TEST_PASSWORD, make_tree

    shots = Path(__file__).resolve().parents[2] / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    tree = make_tree()
    office = tree.user(Role.OFFICE_ADMIN)
    framework = build(Actor(user=office))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1366, "height": 768})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(office.username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{base}{framework.get_absolute_url()}")
    expect(page.locator("#no-problems")).to_be_visible()
    page.screenshot(path=str(shots / "framework-detail.png"), full_page=True)

    org = framework.dimensions.get(code="ORG")
    page.goto(f"{base}{reverse('assessment:criterion_create', args=[org.pk])}?kind=indicator_target")
    expect(page.locator("#id_indicator")).to_be_visible()
    page.locator("#id_points").fill("8")
    page.locator("#id_kind").select_option("deduction")
    expect(page.locator("#id_items")).to_be_visible()
    expect(page.locator("#id_indicator")).to_have_count(0)
    expect(page.locator("#id_points")).to_have_value("8")
    expect(page.locator("label[for=id_points]")).to_contain_text("分值上限")
    page.locator("#id_code").fill("RETURNS")
    page.locator("#id_name").fill("报表被退回")
    page.locator("#id_items").fill("RETURNED|报表被退回|0.5|被退回修改的次数")
    page.screenshot(path=str(shots / "framework-criterion.png"), full_page=True)
    page.get_by_role("button", name="保存").click()

    row = page.locator(f"#criterion-{Criterion.objects.get(code='RETURNS').pk}")
    expect(row).to_contain_text("上限 8.00 分")
    expect(row).to_contain_text("报表被退回：每次 −0.5 分（按平台事实“被退回修改的次数”自动计次）")

    # Deleting asks first (static/js/confirm.js on every page); declining keeps the criterion.
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="删除").click()
    expect(row).to_be_visible()
    assert questions == ["确定删除考核指标“报表被退回”吗？"]
    assert Criterion.objects.filter(code="RETURNS").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="删除").click()
    expect(page.locator("#messages, .alert").first).to_contain_text("已删除考核指标“报表被退回”。")
    assert not Criterion.objects.filter(code="RETURNS").exists()
    assert errors == []


def test_detail_query_budget_does_not_grow_with_criteria(client_office, by, framework, django_assert_max_num_queries):
    skills = framework.dimensions.get(code="SKILLS")
    indicators = list(Indicator.objects.filter(unit="%")[:10])
    for n, indicator in enumerate(indicators):
        services.criterion_save(
            by=by, dimension=skills, code=f"EXTRA{n}", name=f"附加{n}", kind=CriterionKind.INDICATOR_RANK,
            points=D(1), indicator=indicator, kinds=["enterprise"], floor=D(0), cap=D(1), sort_order=10 + n,
        )  # fmt: skip

    with django_assert_max_num_queries(20):
        response = client_office.get(framework.get_absolute_url())

    assert page(response).count("百分位") >= len(indicators)


def test_two_people_editing_one_criterion_do_not_overwrite_each_other(client_office, by, framework):
    criterion = Criterion.objects.get(dimension__framework=framework, code="CERT")
    page = client_office.get(reverse("assessment:criterion_edit", args=[criterion.pk])).content.decode()
    loaded = criterion.version
    assert f'name="version" value="{loaded}"' in page
    services.criterion_save(by=by, dimension=criterion.dimension, criterion=criterion, version=loaded,
                            name="持证率达到目标")  # fmt: skip  # a colleague saved first

    data = criterion_post(
        framework, "indicator_target", code="CERT", name="持证率达标（改）", target="20",
        indicator=criterion.indicator_id, dimension=criterion.dimension_id, version=loaded,
    )  # fmt: skip
    response = client_office.post(reverse("assessment:criterion_edit", args=[criterion.pk]), data)
    assert response.status_code == 200, response.status_code
    assert response.context["form"].errors == {"__all__": ["该记录已被他人修改，请刷新后重试。"]}
    criterion.refresh_from_db()
    assert criterion.name == "持证率达到目标"


def test_a_stale_dimension_edit_is_refused_and_deleting_a_dimension_audits_its_criteria(client_office, framework):
    dimension = framework.dimensions.get(code="ORG")
    stale = dimension.version
    Dimension.objects.filter(pk=dimension.pk).update(version=stale + 1)  # a colleague saved first
    response = client_office.post(
        reverse("assessment:dimension_edit", args=[dimension.pk]),
        {"code": "ORG", "name": "改名", "area": "organisation", "points": "60", "version": stale},
    )
    assert "该记录已被他人修改，请刷新后重试。" in response.content.decode()
    dimension.refresh_from_db()
    assert dimension.name == "改革组织推进"
    codes = set(dimension.criteria.values_list("code", flat=True))
    follow(client_office, reverse("assessment:dimension_delete", args=[dimension.pk]))
    deleted = AuditEntry.objects.filter(event="assessment.criterion.delete").values_list("before", flat=True)
    assert {row["code"] for row in deleted} == codes
