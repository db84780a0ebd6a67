"""Metadata through the services: combos, elements, rules, and copy-on-write data set versions."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ConflictError, UserError
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import SYSTEM
from reporting import queries, services
from reporting.models import CategoryOptionCombo, DataSetVersion, ValidationRule
from reporting.tests.factories import as_actor, office_user, open_report, small_dataset


def test_combo_cells_are_the_cross_product_with_stable_keys(db):
    migrant = services.category_create(
        by=SYSTEM, code="M", name="农民工身份", options=[("MIG", "农民工"), ("NON", "非农民工")]
    )
    gender = services.category_create(by=SYSTEM, code="G", name="性别", options=[("MALE", "男"), ("FEMALE", "女")])

    combo = services.category_combo_create(by=SYSTEM, code="MG", name="身份×性别", categories=[migrant, gender])
    services.category_option_add(by=SYSTEM, category=gender, code="OTHER", name="未说明")

    cells = list(CategoryOptionCombo.objects.filter(combo=combo).values_list("key", "name"))
    assert cells == [
        ("MIG.MALE", "农民工·男"),
        ("MIG.FEMALE", "农民工·女"),
        ("MIG.OTHER", "农民工·未说明"),
        ("NON.MALE", "非农民工·男"),
        ("NON.FEMALE", "非农民工·女"),
        ("NON.OTHER", "非农民工·未说明"),
    ]
    assert list(services.default_combo().option_combos.values_list("key", "name")) == [("", "合计")]


@pytest.mark.parametrize(
    ("options", "message"),
    [([("A", "甲")], "分类至少需要两个选项。"), ([("A", "甲"), ("A", "乙")], "分类选项代码不能重复。")],
)
def test_category_needs_distinct_options(db, options, message):
    with pytest.raises(UserError) as error:
        services.category_create(by=SYSTEM, code="C", name="分类", options=options)

    assert error.value.message == message


def test_option_codes_must_be_unique_within_a_combo(db):
    a = services.category_create(by=SYSTEM, code="A", name="甲", options=[("X", "x"), ("Y", "y")])
    b = services.category_create(by=SYSTEM, code="B", name="乙", options=[("X", "x"), ("Z", "z")])

    with pytest.raises(UserError) as error:
        services.category_combo_create(by=SYSTEM, code="AB", name="甲乙", categories=[a, b])

    assert error.value.message == "组合中各分类的选项代码不能重复。"


def test_only_the_office_manages_metadata(tree):
    for role, org in ((Role.UNION_ADMIN, tree.union_a), (Role.REPORTER, tree.ent_a1), (Role.SYS_ADMIN, tree.province)):
        with pytest.raises(PermissionDenied):
            services.data_element_create(by=as_actor(tree.user(role, org)), code="X", name="x", value_type="integer")
    element = services.data_element_create(by=as_actor(office_user(tree)), code="X", name="x", value_type="integer")
    assert AuditEntry.objects.filter(event="reporting.data_element.create", object_id=str(element.pk)).count() == 1


def test_publish_generates_the_sum_rule(tree):
    dataset = small_dataset()
    version = dataset.current_version()

    generated = ValidationRule.objects.get(dataset_version=version, is_generated=True)
    assert (generated.code, generated.left, generated.operator, generated.right) == (
        "SUM_T_Y_TOTAL_EQ_T_Y_SPLIT",
        "#{T_Y_TOTAL}",
        "==",
        "#{T_Y_SPLIT}",
    )
    assert generated.message == "职工构成各项之和应等于职工总数"
    assert version.number == 1 and version.is_published


def test_a_published_version_is_frozen(tree):
    version = small_dataset().current_version()

    with pytest.raises(UserError) as error:
        services.section_create(by=SYSTEM, dataset_version=version, code="MORE", name="更多")

    assert error.value.message == "报表版本 v1 已发布，不能修改；请先创建新的草稿版本。"


def test_editing_creates_a_copy_and_old_reports_keep_their_version(tree, clock):
    dataset = small_dataset()
    v1 = dataset.current_version()
    old_report = open_report(tree, dataset, "2021")

    draft = services.dataset_version_create_draft(by=SYSTEM, dataset=dataset, note="增加培训人次")
    assert services.dataset_version_create_draft(by=SYSTEM, dataset=dataset).pk == draft.pk  # one draft at a time
    training = services.data_element_create(by=SYSTEM, code="T_Y_TRAINING", name="培训人次", value_type="integer")
    section = draft.sections.get(code="BASIC")
    services.section_element_add(by=SYSTEM, section=section, element=training)
    rule = draft.rules.get(code="R_CERT")
    services.rule_update(by=SYSTEM, rule=rule, version=rule.version, importance="warning")
    services.dataset_version_publish(by=SYSTEM, dataset_version=draft)
    new_report = open_report(tree, dataset, "2021", org=tree.ent_a2)

    assert (draft.number, dataset.current_version().pk) == (2, draft.pk)
    assert old_report.dataset_version_id == v1.pk and new_report.dataset_version_id == draft.pk
    assert set(queries.version_layout(v1).cells) == {
        ("T_Y_TOTAL", ""),
        ("T_Y_SPLIT", "MIG"),
        ("T_Y_SPLIT", "NON"),
        ("T_Y_CERT", ""),
    }
    assert ("T_Y_TRAINING", "") in queries.version_layout(draft).cells
    assert v1.rules.get(code="R_CERT").importance == "error"
    assert draft.rules.get(code="R_CERT").importance == "warning"
    assert draft.rules.filter(is_generated=True).count() == 1
    assert DataSetVersion.objects.filter(dataset=dataset).count() == 2


def test_old_report_is_validated_by_its_own_version(tree, clock):
    dataset = small_dataset()
    report = open_report(tree, dataset, "2021")
    services.values_save(
        by=SYSTEM,
        report=report,
        version=1,
        values={
            ("T_Y_TOTAL", ""): "10",
            ("T_Y_SPLIT", "MIG"): "4",
            ("T_Y_SPLIT", "NON"): "6",
            ("T_Y_CERT", ""): "7",
        },
    )
    draft = services.dataset_version_create_draft(by=SYSTEM, dataset=dataset)
    rule = draft.rules.get(code="R_CERT")
    services.rule_update(by=SYSTEM, rule=rule, version=rule.version, is_active=False)
    services.dataset_version_publish(by=SYSTEM, dataset_version=draft)

    errors = queries.report_completeness(report).errors

    assert [o.message for o in errors] == ["持证人数不能大于非农民工人数（持证人数：7；职工构成·非农民工：6）"]


def test_element_type_is_frozen_once_published(tree):
    small_dataset()
    element = services.data_element_create(by=SYSTEM, code="FREE", name="未使用", value_type="integer")
    from reporting.models import DataElement

    used = DataElement.objects.get(code="T_Y_TOTAL")

    with pytest.raises(UserError) as error:
        services.data_element_update(by=SYSTEM, element=used, version=used.version, value_type="decimal")
    renamed = services.data_element_update(by=SYSTEM, element=used, version=used.version, name="职工人数")
    changed = services.data_element_update(by=SYSTEM, element=element, version=element.version, value_type="decimal")

    assert (
        error.value.message
        == "数据元“职工总数”已在已发布的报表版本中使用，不能修改数值类型或分类组合；如口径变化，请新建数据元。"
    )
    assert (renamed.name, changed.value_type) == ("职工人数", "decimal")
    with pytest.raises(ConflictError):
        services.data_element_update(by=SYSTEM, element=used, version=1, name="旧版本")


@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        ("#{T_Y_CERT} +", "1", "左侧表达式：表达式不完整：结尾缺少数值或引用。"),
        ("#{T_Y_CERT}", "#{NOPE}", "右侧表达式：引用的数据元 NOPE 不在本报表版本中。"),
        ("#{T_Y_SPLIT.FOO}", "1", "左侧表达式：数据元 T_Y_SPLIT 没有分类选项 FOO。"),
    ],
)
def test_rules_are_checked_against_the_version(tree, left, right, message):
    dataset = small_dataset()
    draft = services.dataset_version_create_draft(by=SYSTEM, dataset=dataset)

    with pytest.raises(UserError) as error:
        services.rule_create(
            by=SYSTEM,
            dataset_version=draft,
            code="R_NEW",
            name="新规则",
            left=left,
            operator="<=",
            right=right,
            importance="error",
            message="x",
        )

    assert error.value.message == message


def test_generated_rules_cannot_be_edited_directly_and_are_regenerated(tree):
    dataset = small_dataset()
    draft = services.dataset_version_create_draft(by=SYSTEM, dataset=dataset)
    generated = draft.rules.get(is_generated=True)

    with pytest.raises(UserError) as error:
        services.rule_update(by=SYSTEM, rule=generated, version=generated.version, message="x")
    rules = services.rules_generate(by=SYSTEM, dataset_version=draft)

    assert error.value.message == "自动生成的规则不能直接修改，请修改对应的合计关系。"
    assert [r.code for r in rules] == ["SUM_T_Y_TOTAL_EQ_T_Y_SPLIT"]
    assert draft.rules.filter(is_generated=True).count() == 1


def test_total_relation_needs_a_disaggregated_parts_element(tree):
    dataset = small_dataset(publish=False)
    draft = dataset.draft_version()
    from reporting.models import DataElement

    total, cert = DataElement.objects.get(code="T_Y_TOTAL"), DataElement.objects.get(code="T_Y_CERT")

    with pytest.raises(UserError) as error:
        services.total_relation_add(by=SYSTEM, dataset_version=draft, total_element=total, parts_element=cert)

    assert error.value.message == "分项数据元“持证人数”没有分类，无法求和比较。"


def test_publish_needs_elements_and_assigned_orgs(tree):
    empty = services.dataset_create(
        by=SYSTEM, code="EMPTY", name="空表", period_type="year", assigned_kinds=["enterprise"]
    )
    nobody = small_dataset(code="T_N", publish=False)
    services.dataset_update(by=SYSTEM, dataset=nobody, version=nobody.version, assigned_kinds=[])

    with pytest.raises(UserError) as no_elements:
        services.dataset_version_publish(by=SYSTEM, dataset_version=empty.draft_version())
    with pytest.raises(UserError) as no_orgs:
        services.dataset_version_publish(by=SYSTEM, dataset_version=nobody.draft_version())
    services.dataset_assign(by=SYSTEM, dataset=nobody, org=tree.union_b)

    assert no_elements.value.message == "报表版本中还没有任何数据元，不能发布。"
    assert no_orgs.value.message == "请先设置由哪些机构填报该报表。"
    assert services.dataset_version_publish(by=SYSTEM, dataset_version=nobody.draft_version()).is_published


def test_dataset_settings_are_checked(tree):
    dataset = small_dataset()

    with pytest.raises(UserError) as kinds:
        services.dataset_update(by=SYSTEM, dataset=dataset, version=dataset.version, assigned_kinds=["planet"])
    with pytest.raises(UserError) as opening:
        services.dataset_update(by=SYSTEM, dataset=dataset, version=dataset.version, open_offset_days=40)

    assert kinds.value.message == "未知的机构类型：planet"
    assert opening.value.message == "开放填报日不能晚于截止日。"
