"""Metadata pages: who may read (office) and change (office administrators), and every write through
the services, with the database and the audit trail checked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry
from orgs.choices import Role
from reporting.models import (
    Category,
    CategoryCombo,
    DataElement,
    DataSet,
    DataSetAssignment,
    DataSetVersion,
    Section,
    SectionElement,
    TotalRelation,
    ValidationRule,
)
from reporting.tests.factories import as_actor, filled_report, small_dataset


@pytest.fixture
def admin(tree):
    return tree.user(Role.OFFICE_ADMIN)


@pytest.fixture
def reviewer(tree):
    return tree.user(Role.OFFICE_REVIEWER)


@pytest.fixture
def t_y(tree, admin):
    """A small data set, published (v1), built by the office administrator through the services."""
    return small_dataset(as_actor(admin))


@pytest.fixture
def draft(t_y, admin):
    """Its draft v2 (a copy of v1)."""
    from reporting import services

    return services.dataset_version_create_draft(by=as_actor(admin), dataset=t_y)


def login(client, user):
    client.force_login(user)
    return client


def events(name: str) -> int:
    return AuditEntry.objects.filter(event=name).count()


# --- Who may read and who may change ----------------------------------------------------------------------


def read_pages(t_y, draft):
    element = DataElement.objects.get(code="T_Y_TOTAL")
    rule = ValidationRule.objects.get(dataset_version=draft, code="R_CERT")
    return [
        reverse("reporting:metadata_home"),
        reverse("reporting:element_list"),
        reverse("reporting:element_edit", args=[element.pk]),
        reverse("reporting:category_list"),
        reverse("reporting:dataset_detail", args=[t_y.pk]),
        reverse("reporting:version_detail", args=[draft.pk]),
        reverse("reporting:rule_list", args=[draft.pk]),
        reverse("reporting:rule_edit", args=[rule.pk]),
        reverse("reporting:expression_check", args=[draft.pk]) + "?left=%23%7BT_Y_TOTAL%7D",
    ]


def write_pages(t_y, draft):
    section = Section.objects.get(dataset_version=draft)
    item = SectionElement.objects.filter(dataset_version=draft).first()
    category = Category.objects.get(code="T_Y_MIG")
    return [
        reverse("reporting:element_create"),
        reverse("reporting:category_create"),
        reverse("reporting:category_option_add", args=[category.pk]),
        reverse("reporting:combo_create"),
        reverse("reporting:dataset_create"),
        reverse("reporting:section_edit", args=[section.pk]),
        reverse("reporting:section_element_add", args=[section.pk]),
        reverse("reporting:section_element_edit", args=[item.pk]),
        reverse("reporting:total_relation_add", args=[draft.pk]),
        reverse("reporting:rule_create", args=[draft.pk]),
    ]


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.OFFICE_ADMIN, 200, 200),
        (Role.OFFICE_REVIEWER, 200, 403),
        # Outside the office the pages do not exist (issue 10: one answer for "not yours").
        (Role.UNION_ADMIN, 404, 404),
        (Role.REPORTER, 404, 404),
        (Role.LEADER, 404, 404),
        (Role.DEPT_VIEWER, 404, 404),
    ],
)
def test_pages_answer_by_role(client, tree, t_y, draft, role, read, write):
    login(client, tree.user(role))

    reads = {url: client.get(url).status_code for url in read_pages(t_y, draft)}
    writes = {url: client.get(url).status_code for url in write_pages(t_y, draft)}

    assert reads == dict.fromkeys(reads, read)
    assert writes == dict.fromkeys(writes, write)


POSTS = [
    ("reporting:element_create", None, {"code": "X_NEW", "name": "新数据元", "value_type": "integer"}),
    ("reporting:dataset_create", None, {"code": "X_DS", "name": "新报表", "period_type": "year"}),
    ("reporting:version_publish", "draft", {}),
    ("reporting:rules_generate", "draft", {}),
    ("reporting:section_create", "draft", {"code": "MORE", "name": "补充"}),
    ("reporting:version_create_draft", "dataset", {}),
    ("reporting:dataset_assign", "dataset", {"org": "E-A1"}),
]


@pytest.mark.parametrize(("role", "status"), [(Role.OFFICE_REVIEWER, 403), (Role.UNION_ADMIN, 404), (Role.LEADER, 404)])
def test_posts_by_others_are_refused_and_change_nothing(client, tree, t_y, draft, role, status):
    login(client, tree.user(role))
    before = AuditEntry.objects.count(), DataElement.objects.count(), DataSetVersion.objects.count()

    statuses = {}
    for name, arg, body in POSTS:
        args = [] if arg is None else [draft.pk if arg == "draft" else t_y.pk]
        statuses[name] = client.post(reverse(name, args=args), body).status_code

    assert statuses == {name: status for name, _arg, _body in POSTS}
    assert (AuditEntry.objects.exclude(event__startswith="access.").count(), DataElement.objects.count()) == before[:2]
    assert DataSetVersion.objects.count() == before[2]
    assert not Section.objects.filter(code="MORE").exists()


def test_reviewer_sees_forms_read_only(client, tree, reviewer, t_y, draft):
    element = DataElement.objects.get(code="T_Y_TOTAL")
    login(client, reviewer)

    body = client.get(reverse("reporting:element_edit", args=[element.pk])).content.decode()
    version_page = client.get(reverse("reporting:version_detail", args=[draft.pk])).content.decode()

    assert "您可以查看报表定义；修改由产改办管理员进行。" in body
    assert 'name="name"' in body and "disabled" in body
    assert ">保存<" not in body
    assert "加入数据元" not in version_page and "发布此版本" not in version_page


# --- Data elements ------------------------------------------------------------------------------------------------


def test_admin_creates_an_element(client, admin, t_y):
    login(client, admin)
    combo = CategoryCombo.objects.get(code="T_Y_MIG")

    response = client.post(
        reverse("reporting:element_create"),
        {
            "code": "x_trained",
            "name": "培训人数",
            "value_type": "integer",
            "unit": "人",
            "aggregation": "sum",
            "category_combo": combo.pk,
            "migrant_scope": "included",
            "population": "本单位职工",
        },
    )

    assert response.status_code == 302
    element = DataElement.objects.get(code="X_TRAINED")  # codes are upper-cased
    assert (element.name, element.category_combo, element.migrant_scope) == ("培训人数", combo, "included")
    assert AuditEntry.objects.filter(event="reporting.data_element.create", object_id=str(element.pk)).count() == 1


def test_a_used_code_is_refused_with_the_services_message(client, admin, t_y):
    login(client, admin)

    response = client.post(
        reverse("reporting:element_create"),
        {"code": "T_Y_TOTAL", "name": "重复", "value_type": "integer", "aggregation": "sum", "migrant_scope": "na"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["数据元代码“T_Y_TOTAL”已被使用。"]}
    assert DataElement.objects.filter(code="T_Y_TOTAL").count() == 1


def test_a_bad_code_is_explained(client, admin, t_y):
    login(client, admin)

    response = client.post(
        reverse("reporting:element_create"),
        {"code": "1坏", "name": "x", "value_type": "integer", "aggregation": "sum", "migrant_scope": "na"},
    )

    assert response.context["form"].errors["code"] == ["代码只能包含大写字母、数字和下划线，并以字母开头。"]


def edit_body(element, **changes):
    body = {
        "name": element.name,
        "short_name": element.short_name,
        "value_type": element.value_type,
        "unit": element.unit,
        "aggregation": element.aggregation,
        "category_combo": element.category_combo_id,
        "migrant_scope": element.migrant_scope,
        "population": element.population,
        "source": element.source,
        "description": element.description,
        "is_active": "on" if element.is_active else "",
        "version": element.version,
    }
    body.update(changes)
    return body


def test_element_edit_with_a_stale_version_shows_what_changed_and_saves_nothing(client, admin, t_y):
    from reporting import services

    element = DataElement.objects.get(code="T_Y_CERT")
    stale = edit_body(element, name="持证职工人数")
    services.data_element_update(by=as_actor(admin), element=element, version=element.version, unit="名")
    login(client, admin)

    response = client.post(reverse("reporting:element_edit", args=[element.pk]), stale)

    element.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该数据元已被他人修改，请刷新后重试。"]
    assert ("单位", "人", "名") in response.context["changes"]
    assert (element.name, element.unit) == ("持证人数", "名")
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert response.context["form"].data["version"] == str(element.version)
    again = client.post(reverse("reporting:element_edit", args=[element.pk]), {**stale, "version": element.version})
    element.refresh_from_db()
    assert again.status_code == 302
    assert (element.name, element.unit) == ("持证职工人数", "人")


def test_type_and_combo_are_frozen_once_published(client, admin, t_y):
    element = DataElement.objects.get(code="T_Y_TOTAL")
    login(client, admin)

    page = client.get(reverse("reporting:element_edit", args=[element.pk]))
    response = client.post(
        reverse("reporting:element_edit", args=[element.pk]), edit_body(element, value_type="decimal", name="职工人数")
    )

    assert page.context["form"].fields["value_type"].disabled
    assert "已在已发布的报表版本中使用，不能修改；如口径变化，请新建数据元。" in page.content.decode()
    element.refresh_from_db()
    assert response.status_code == 302
    assert (element.value_type, element.name) == ("integer", "职工人数")


def test_element_list_searches_and_filters(client, admin, t_y):
    login(client, admin)
    url = reverse("reporting:element_list")

    by_text = client.get(url, {"q": "t_y_c"})
    by_combo = client.get(url, {"category_combo": CategoryCombo.objects.get(code="T_Y_MIG").pk})
    partial = client.get(url, {"q": "职工"}, headers={"HX-Request": "true"})

    assert [e.code for e in by_text.context["page_obj"]] == ["T_Y_CERT"]
    assert [e.code for e in by_combo.context["page_obj"]] == ["T_Y_SPLIT"]
    assert "<html" not in partial.content.decode() and "T_Y_TOTAL" in partial.content.decode()


def test_element_list_query_budget_does_not_grow(client, admin, t_y, django_assert_max_num_queries):
    from reporting import services

    login(client, admin)
    url = reverse("reporting:element_list")
    client.get(url, {"q": "T_Y_"})
    with django_assert_max_num_queries(12) as small:
        client.get(url, {"q": "T_Y_"})
    for n in range(30):
        services.data_element_create(by=as_actor(admin), code=f"T_Y_MANY_{n}", name=f"数据元{n}", value_type="integer")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"q": "T_Y_"})
    assert len(response.context["page_obj"]) == 33


# --- Categories and combos ----------------------------------------------------------------------------------------


def test_category_with_options_typed_one_per_line(client, admin, t_y):
    login(client, admin)

    response = client.post(
        reverse("reporting:category_create"),
        {"code": "GENDER_X", "name": "性别", "options": "MALE 男\nfemale＝女\n\n"},
    )

    assert response.status_code == 302
    category = Category.objects.get(code="GENDER_X")
    assert list(category.options.values_list("code", "name")) == [("MALE", "男"), ("FEMALE", "女")]


def test_bad_option_lines_are_named(client, admin, t_y):
    login(client, admin)

    response = client.post(
        reverse("reporting:category_create"), {"code": "BAD", "name": "坏", "options": "MALE 男\n女\n9X 九"}
    )

    assert response.context["form"].errors["options"] == [
        "第 2 行“女”应为“代码 名称”，例如“MIGRANT 农民工”。",
        "第 3 行的代码“9X”无效：只能包含大写字母、数字和下划线，并以字母开头。",
    ]
    assert not Category.objects.filter(code="BAD").exists()


def test_option_added_to_a_category_extends_its_combos(client, admin, t_y):
    login(client, admin)
    category = Category.objects.get(code="T_Y_MIG")

    client.post(reverse("reporting:category_option_add", args=[category.pk]), {"code": "OTHER", "name": "其他"})

    combo = CategoryCombo.objects.get(code="T_Y_MIG")
    assert sorted(combo.option_combos.values_list("key", flat=True)) == ["MIG", "NON", "OTHER"]


def test_combo_of_two_categories_in_order(client, admin, t_y):
    from reporting import services

    gender = services.category_create(by=as_actor(admin), code="SEX", name="性别", options=[("M", "男"), ("F", "女")])
    migrant = Category.objects.get(code="T_Y_MIG")
    login(client, admin)

    response = client.post(
        reverse("reporting:combo_create"),
        {"code": "MIG_SEX", "name": "身份×性别", "category_1": migrant.pk, "category_2": gender.pk},
    )
    same_twice = client.post(
        reverse("reporting:combo_create"),
        {"code": "TWICE", "name": "重复", "category_1": gender.pk, "category_2": gender.pk},
    )

    assert response.status_code == 302
    keys = list(
        CategoryCombo.objects.get(code="MIG_SEX").option_combos.order_by("sort_order").values_list("key", flat=True)
    )
    assert keys == ["MIG.M", "MIG.F", "NON.M", "NON.F"]
    assert same_twice.context["form"].non_field_errors() == ["同一个分类不能选两次。"]


# --- Data sets -------------------------------------------------------------------------------------------------------


def test_dataset_create_edit_and_assign(client, admin, tree):
    login(client, admin)

    created = client.post(
        reverse("reporting:dataset_create"),
        {
            "code": "X_Q",
            "name": "季度快报",
            "period_type": "quarter",
            "assigned_kinds": ["enterprise"],
            "open_offset_days": 0,
            "deadline_days": 15,
            "grace_days": 5,
            "outlier_ratio": "0.5",
        },
    )
    dataset = DataSet.objects.get(code="X_Q")
    edited = client.post(
        reverse("reporting:dataset_detail", args=[dataset.pk]),
        {
            "name": "季度快报",
            "assigned_kinds": ["enterprise", "unit"],
            "open_offset_days": 0,
            "deadline_days": 20,
            "grace_days": 5,
            "outlier_ratio": "0.5",
            "is_active": "on",
            "version": dataset.version,
        },
    )
    assigned = client.post(
        reverse("reporting:dataset_assign", args=[dataset.pk]), {"org": "U-A", "include_descendants": "on"}
    )
    unknown = client.post(reverse("reporting:dataset_assign", args=[dataset.pk]), {"org": "NOPE"}, follow=True)
    removed = client.post(reverse("reporting:dataset_unassign", args=[dataset.pk]), {"org": "U-A"})

    dataset.refresh_from_db()
    assert created.status_code == edited.status_code == assigned.status_code == removed.status_code == 302
    assert created["Location"] == reverse("reporting:dataset_detail", args=[dataset.pk])
    assert list(dataset.versions.values_list("number", "published_at")) == [(1, None)]
    assert (dataset.deadline_days, dataset.assigned_kinds) == (20, ["enterprise", "unit"])
    assert "未找到代码为“NOPE”的机构，或您无权访问。" in unknown.content.decode()
    assert not DataSetAssignment.objects.filter(dataset=dataset).exists()
    assert events("reporting.dataset.assign") == events("reporting.dataset.unassign") == 1


def test_dataset_deadline_rule_is_checked(client, admin, t_y):
    login(client, admin)

    response = client.post(
        reverse("reporting:dataset_detail", args=[t_y.pk]),
        {
            "name": t_y.name,
            "assigned_kinds": ["enterprise"],
            "open_offset_days": 40,
            "deadline_days": 31,
            "grace_days": 10,
            "outlier_ratio": "0.5",
            "is_active": "on",
            "version": t_y.version,
        },
    )

    assert response.status_code == 200
    assert "开放填报日不能晚于截止日。" in response.content.decode()
    t_y.refresh_from_db()
    assert t_y.open_offset_days == 0


# --- Versions: sections, elements, totals, publishing -----------------------------------------------------------------


def test_the_draft_is_edited_and_published_then_read_only(client, admin, t_y, draft):
    login(client, admin)
    section = Section.objects.get(dataset_version=draft)
    new = DataElement.objects.create(
        code="X_EXTRA", name="补充人数", value_type="integer", category_combo=CategoryCombo.objects.get(code="DEFAULT")
    )

    added = client.post(
        reverse("reporting:section_element_add", args=[section.pk]),
        {"element": new.pk, "required": "on", "min_value": "0", "max_value": "100"},
    )
    item = SectionElement.objects.get(dataset_version=draft, element=new)
    edited = client.post(
        reverse("reporting:section_element_edit", args=[item.pk]),
        {"min_value": "0", "max_value": "50", "help_text": "不含临时工"},
    )
    moved = client.post(reverse("reporting:section_element_move", args=[item.pk]), {"direction": "up"})
    section_added = client.post(
        reverse("reporting:section_create", args=[draft.pk]), {"code": "MORE", "name": "补充情况"}
    )
    published = client.post(reverse("reporting:version_publish", args=[draft.pk]))

    item.refresh_from_db()
    draft.refresh_from_db()
    assert (
        added.status_code
        == edited.status_code
        == moved.status_code
        == section_added.status_code
        == published.status_code
        == 302
    )
    assert (item.required, item.max_value, item.help_text) == (False, 50, "不含临时工")
    order = list(
        SectionElement.objects.filter(section=section).order_by("sort_order").values_list("element__code", flat=True)
    )
    assert order == ["T_Y_TOTAL", "T_Y_SPLIT", "X_EXTRA", "T_Y_CERT"]
    assert draft.is_published
    page = client.get(reverse("reporting:version_detail", args=[draft.pk])).content.decode()
    assert "只读" in page and "始终保持填报时的版本" in page
    assert "加入数据元" not in page
    # A post to a published version is refused by the service, with its message, and changes nothing.
    late = client.post(
        reverse("reporting:section_create", args=[draft.pk]), {"code": "LATE", "name": "晚了"}, follow=True
    )
    assert "报表版本 v2 已发布，不能修改；请先创建新的草稿版本。" in late.content.decode()
    assert not Section.objects.filter(code="LATE").exists()


def test_removing_an_element_removes_its_totals(client, admin, t_y, draft):
    login(client, admin)
    item = SectionElement.objects.get(dataset_version=draft, element__code="T_Y_SPLIT")

    response = client.post(reverse("reporting:section_element_remove", args=[item.pk]))

    assert response.status_code == 302
    assert not SectionElement.objects.filter(pk=item.pk).exists()
    assert not TotalRelation.objects.filter(dataset_version=draft).exists()
    assert events("reporting.section_element.delete") == 1


def test_total_relation_then_generated_sum_rule(client, admin, t_y, draft):
    login(client, admin)
    TotalRelation.objects.filter(dataset_version=draft).delete()
    ValidationRule.objects.filter(dataset_version=draft, is_generated=True).delete()

    added = client.post(
        reverse("reporting:total_relation_add", args=[draft.pk]),
        {"total_element": "T_Y_TOTAL", "parts_element": "T_Y_SPLIT"},
    )
    generated = client.post(reverse("reporting:rules_generate", args=[draft.pk]), follow=True)

    assert added.status_code == 302
    assert "已根据合计关系生成 1 条求和校验规则。" in generated.content.decode()
    assert list(draft.rules.filter(is_generated=True).values_list("code", flat=True)) == ["SUM_T_Y_TOTAL_EQ_T_Y_SPLIT"]


def test_an_empty_section_can_be_deleted_a_full_one_cannot(client, admin, t_y, draft):
    login(client, admin)
    full = Section.objects.get(dataset_version=draft)
    client.post(reverse("reporting:section_create", args=[draft.pk]), {"code": "EMPTY", "name": "空分区"})
    empty = Section.objects.get(dataset_version=draft, code="EMPTY")

    refused = client.post(reverse("reporting:section_delete", args=[full.pk]), follow=True)
    deleted = client.post(reverse("reporting:section_delete", args=[empty.pk]))

    assert "分区“基本情况”中还有数据元，请先移除后再删除分区。" in refused.content.decode()
    assert deleted.status_code == 302
    assert list(Section.objects.filter(dataset_version=draft).values_list("code", flat=True)) == ["BASIC"]


# --- Validation rules -------------------------------------------------------------------------------------------------


RULE = {
    "name": "持证不超过总数",
    "left": "#{T_Y_CERT}",
    "operator": "<=",
    "right": "#{T_Y_TOTAL}",
    "importance": "warning",
    "message": "持证人数超过了职工总数",
    "missing_value_strategy": "skip_if_all",
}


@pytest.mark.parametrize(
    ("left", "message"),
    [
        ("#{T_Y_CERT} +", "表达式不完整：结尾缺少数值或引用。"),
        ("#{T_Y_CERT} % 2", "表达式第 13 个字符附近无法识别：“% 2”。"),
        ("#{T_Y_NOPE}", "引用的数据元 T_Y_NOPE 不在本报表版本中。"),
        ("#{T_Y_SPLIT.WOMEN}", "数据元 T_Y_SPLIT 没有分类选项 WOMEN。"),
    ],
)
def test_rule_expressions_are_parsed_with_the_position_of_the_error(client, admin, t_y, draft, left, message):
    login(client, admin)

    response = client.post(reverse("reporting:rule_create", args=[draft.pk]), {**RULE, "code": "R_NEW", "left": left})

    assert response.status_code == 200
    assert response.context["form"].errors["left"] == [message]
    assert not ValidationRule.objects.filter(code="R_NEW").exists()


def test_live_expression_check_marks_the_error(client, admin, t_y, draft):
    login(client, admin)
    url = reverse("reporting:expression_check", args=[draft.pk])

    bad = client.get(url, {"left": "#{T_Y_CERT} % 2"}, headers={"HX-Request": "true"}).content.decode()
    good = client.get(url, {"right": "#{T_Y_SPLIT.NON} * 2"}, headers={"HX-Request": "true"}).content.decode()

    assert "表达式第 13 个字符附近无法识别：“% 2”。" in bad
    assert '#{T_Y_CERT} <mark class="expr-error">%</mark> 2' in bad
    assert "表达式有效。" in good and "职工构成·非农民工" in good


def test_live_expression_check_suggests_the_code_meant(client, admin, t_y, draft):
    login(client, admin)
    url = reverse("reporting:expression_check", args=[draft.pk])

    typo = client.get(url, {"left": "#{T_Y_CRET} + #{T_Y_TOTAL}"}, headers={"HX-Request": "true"}).content.decode()
    far = client.get(url, {"left": "#{NOTHING_LIKE_IT}"}, headers={"HX-Request": "true"}).content.decode()

    assert "您是否要写 #{T_Y_CERT}（持证人数）？" in typo
    assert "您是否要写" not in far


def test_rule_form_lists_the_elements_with_their_names_and_options(client, admin, t_y, draft):
    login(client, admin)

    body = client.get(reverse("reporting:rule_create", args=[draft.pk])).content.decode()

    assert "<code>#{T_Y_TOTAL}</code> 职工总数" in body
    assert "<code>.NON</code> 非农民工" in body


def test_rule_created_edited_and_deactivated(client, admin, t_y, draft):
    login(client, admin)

    created = client.post(reverse("reporting:rule_create", args=[draft.pk]), {**RULE, "code": "r_total"})
    rule = ValidationRule.objects.get(dataset_version=draft, code="R_TOTAL")
    edited = client.post(
        reverse("reporting:rule_edit", args=[rule.pk]),
        {**RULE, "right": "#{T_Y_SPLIT.NON}", "is_active": "on", "version": rule.version},
    )
    rule.refresh_from_db()
    toggled = client.post(reverse("reporting:rule_toggle", args=[rule.pk]), {"active": "0", "version": rule.version})

    rule.refresh_from_db()
    assert created.status_code == edited.status_code == toggled.status_code == 302
    assert (rule.right, rule.is_active, rule.importance) == ("#{T_Y_SPLIT.NON}", False, "warning")
    assert events("reporting.rule.create") == 2 and events("reporting.rule.update") == 2  # R_CERT of v1 + R_TOTAL


def test_rule_edit_with_a_stale_version_is_refused(client, admin, t_y, draft):
    from reporting import services

    rule = ValidationRule.objects.get(dataset_version=draft, code="R_CERT")
    stale = rule.version
    services.rule_update(by=as_actor(admin), rule=rule, version=stale, message="他人改过")
    login(client, admin)

    response = client.post(
        reverse("reporting:rule_edit", args=[rule.pk]),
        {**RULE, "left": rule.left, "right": rule.right, "is_active": "on", "version": stale},
    )

    rule.refresh_from_db()
    assert response.context["form"].non_field_errors() == ["该规则已被他人修改，请刷新后重试。"]
    assert rule.message == "他人改过"
    assert ("提示信息", "持证人数超过了职工总数", "他人改过") in response.context["changes"]


def test_rules_of_a_published_version_are_read_only(client, admin, t_y):
    rule = ValidationRule.objects.get(dataset_version=t_y.current_version(), code="R_CERT")
    login(client, admin)

    page = client.get(reverse("reporting:rule_edit", args=[rule.pk]))
    toggled = client.post(
        reverse("reporting:rule_toggle", args=[rule.pk]), {"active": "0", "version": rule.version}, follow=True
    )

    assert page.context["form"].fields["left"].disabled
    assert "此版本已发布，规则只读；已填报的报表始终按其填报时的版本校验。" in page.content.decode()
    assert "报表版本 v1 已发布，不能修改；请先创建新的草稿版本。" in toggled.content.decode()
    rule.refresh_from_db()
    assert rule.is_active


@pytest.fixture
def t_y_report(tree, t_y, clock):
    """A draft report of enterprise A1 on T_Y v1: total 100, 60 migrant + 40 non-migrant, 50 certified."""
    from orgs.tests.factories import SYSTEM
    from reporting import services
    from reporting.tests.factories import open_report

    report = open_report(tree, t_y, "2021")
    values = {("T_Y_TOTAL", ""): "100", ("T_Y_SPLIT", "MIG"): "60", ("T_Y_SPLIT", "NON"): "40", ("T_Y_CERT", ""): "50"}
    return services.values_save(by=SYSTEM, report=report, version=report.version, values=values).report


def test_rule_test_box_evaluates_the_typed_rule_against_a_report(client, reviewer, t_y, draft, t_y_report):
    login(client, reviewer)  # read-only users may test too: nothing is written
    url = reverse("reporting:rule_test", args=[draft.pk])
    before = AuditEntry.objects.count()

    failing = client.post(
        url, {**RULE, "right": "#{T_Y_SPLIT.NON}", "report": t_y_report.pk}, headers={"HX-Request": "true"}
    )
    passing = client.post(url, {**RULE, "report": t_y_report.pk}, headers={"HX-Request": "true"})
    stored = client.post(
        url, {"rule": ValidationRule.objects.get(dataset_version=draft, code="R_CERT").pk, "report": t_y_report.pk}
    )

    failing_text = failing.content.decode()
    assert "不通过：持证人数超过了职工总数（持证人数：50；职工构成·非农民工：40）" in failing_text
    assert "通过。" in passing.content.decode()
    assert "不通过：持证人数不能大于非农民工人数" in stored.content.decode()
    assert AuditEntry.objects.count() == before


def test_rule_test_refuses_a_report_of_another_dataset(client, admin, tree, t_y, draft, wf):
    login(client, admin)
    other = filled_report(tree, wf[0])

    response = client.post(reverse("reporting:rule_test", args=[draft.pk]), {**RULE, "report": other.pk})

    assert "请选择一份您有权查看的、属于本报表的填报记录。" in response.content.decode()
