"""产业工人队伍基本情况: the yearly data set WF_Y and its quarterly short form WF_Q, as data.

Loaded by migration 0002 with the historical models; idempotent by code: what exists is left as
it is (the office may have edited it), what is missing is created. A data set gets its published
version 1 only when it has no version yet.

High-skilled talent (高技能人才) is not asked: it is 高级工 and above, i.e. the sum of the
SENIOR, TECHNICIAN, SENIOR_TECHNICIAN, SPECIAL_TECHNICIAN and CHIEF_TECHNICIAN cells of
WF_CERT_BY_LEVEL. College or above (大专及以上) is POSTGRADUATE + BACHELOR + COLLEGE of
WF_EDU_BY_LEVEL. Both are over non-migrant workers (DOMAIN.md §3).

Migration code: it reads nothing of the live application (no reporting.* import), so later
changes to the app cannot change what this migration creates. The few helpers it needs
(the default combo, the cells of a combo, the rule a total implies) are frozen copies below, as
they stood when the migration was written (reporting/metadata.py, reporting/validation.py).
apps.py runs `load` again after a flush.
"""

import hashlib
import itertools

from django.utils.translation import gettext

DEFAULT_COMBO_CODE = "DEFAULT"
DEFAULT_COMBO_NAME = "无分类"
DEFAULT_OPTION_COMBO_NAME = "合计"

CATEGORIES = [
    ("MIGRANT", "农民工身份", [("MIGRANT", "农民工"), ("NONMIGRANT", "非农民工")]),
    ("GENDER", "性别", [("MALE", "男"), ("FEMALE", "女")]),
    (
        "SKILL_LEVEL",
        "技能等级（新八级工）",
        [
            ("APPRENTICE", "学徒工"),
            ("JUNIOR", "初级工（五级）"),
            ("INTERMEDIATE", "中级工（四级）"),
            ("SENIOR", "高级工（三级）"),
            ("TECHNICIAN", "技师（二级）"),
            ("SENIOR_TECHNICIAN", "高级技师（一级）"),
            ("SPECIAL_TECHNICIAN", "特级技师"),
            ("CHIEF_TECHNICIAN", "首席技师"),
        ],
    ),
    (
        "EDUCATION",
        "学历",
        [
            ("POSTGRADUATE", "研究生"),
            ("BACHELOR", "本科"),
            ("COLLEGE", "大专"),
            ("SECONDARY", "中专/高中"),
            ("JUNIOR_OR_BELOW", "初中及以下"),
        ],
    ),
    (
        "STUDIO_LEVEL",
        "创新工作室级别",
        [("NATIONAL", "国家级"), ("PROVINCIAL", "省级"), ("PREFECTURAL", "州市级"), ("ENTERPRISE", "企业级")],
    ),
]

COMBOS = [
    ("MIGRANT_GENDER", "农民工身份×性别", ["MIGRANT", "GENDER"]),
    ("SKILL_LEVEL", "技能等级（新八级工）", ["SKILL_LEVEL"]),
    ("EDUCATION", "学历", ["EDUCATION"]),
    ("STUDIO_LEVEL", "创新工作室级别", ["STUDIO_LEVEL"]),
]

ENTERPRISE = "本单位产业工人"
REPORT = "企业填报"

# code, name, value type, unit, aggregation, combo, migrant scope, population, description
ELEMENTS = [
    ("WF_WORKERS", "产业工人总数", "integer", "人", "last", None, "included", ENTERPRISE, "报告期末人数，含农民工。"),
    ("WF_WORKERS_GROUP", "产业工人构成", "integer", "人", "last", "MIGRANT_GENDER", "included", ENTERPRISE,
     "按农民工身份和性别分列的报告期末人数；农民工指农村户籍、年内从事非农产业六个月及以上的劳动者。"),
    ("WF_FRONTLINE", "一线职工人数", "integer", "人", "last", None, "included", ENTERPRISE, "生产、施工、运行一线的职工。"),
    ("WF_TECH_STAFF", "专业技术人员人数", "integer", "人", "last", None, "included", ENTERPRISE, ""),
    ("WF_NEW_FRONTLINE_HIRES", "本期新增一线职工人数", "integer", "人", "sum", None, "included", ENTERPRISE, ""),
    ("WF_UNION_MEMBERS", "工会会员人数", "integer", "人", "last", None, "included", "本单位工会会员（含新就业形态劳动者）", ""),
    ("WF_NEF_WORKERS", "新就业形态劳动者人数", "integer", "人", "last", None, "na",
     "与本单位有用工或合作关系的货车司机、快递员、网约配送员等", ""),
    ("WF_NEF_MEMBERS", "其中：已入会的新就业形态劳动者", "integer", "人", "last", None, "na", "新就业形态劳动者", ""),
    ("WF_CERTIFIED", "持有技能等级证书人数", "integer", "人", "last", None, "excluded", "非农民工产业工人",
     "持职业资格证书或职业技能等级证书的人数，不含农民工。"),
    ("WF_CERT_BY_LEVEL", "持证人数按技能等级", "integer", "人", "last", "SKILL_LEVEL", "excluded", "非农民工产业工人",
     "高技能人才为高级工（三级）及以上各级之和，不单独填报。"),
    ("WF_EDU_BY_LEVEL", "非农民工产业工人学历构成", "integer", "人", "last", "EDUCATION", "excluded", "非农民工产业工人",
     "大专及以上为研究生、本科、大专之和。"),
    ("WF_EDU_FUND_EXTRACTED", "职工教育经费提取额", "money", "元", "sum", None, "na", "本单位", ""),
    ("WF_EDU_FUND_SPENT", "职工教育经费使用额", "money", "元", "sum", None, "na", "本单位", ""),
    ("WF_EDU_FUND_FRONTLINE", "其中：用于一线职工", "money", "元", "sum", None, "na", "本单位", ""),
    ("WF_PAYROLL", "职工工资总额", "money", "元", "sum", None, "na", "本单位", ""),
    ("WF_TRAINING_PERSON_TIMES", "职业技能培训人次", "integer", "人次", "sum", None, "included", ENTERPRISE, ""),
    ("WF_TRAINING_HOURS", "职业技能培训总学时", "integer", "学时", "sum", None, "included", ENTERPRISE, "各次培训学时×参训人数之和。"),
    ("WF_SELF_EVAL_FILED", "是否完成企业自主评价备案", "boolean", "", "last", None, "na", "本单位", ""),
    ("WF_SELF_EVAL_PERSONS", "企业自主评价人数", "integer", "人", "sum", None, "included", ENTERPRISE, ""),
    ("WF_NEW_PARTY_MEMBERS", "新发展一线产业工人党员数", "integer", "人", "sum", None, "included", ENTERPRISE, ""),
    ("WF_TALK_SESSIONS", "宣讲场次", "integer", "场", "sum", None, "na", "本单位", ""),
    ("WF_TALK_SPEAKERS", "宣讲人数（优秀产业工人代表）", "integer", "人", "sum", None, "included", ENTERPRISE, ""),
    ("WF_TALK_AUDIENCE", "宣讲覆盖职工人次", "integer", "人次", "sum", None, "included", ENTERPRISE, ""),
    ("WF_COMP_HELD", "劳动和技能竞赛项目数", "integer", "项", "sum", None, "na", "本单位", ""),
    ("WF_COMP_PARTICIPANTS", "竞赛参赛职工人次", "integer", "人次", "sum", None, "included", ENTERPRISE, ""),
    ("WF_COMP_TRADES", "竞赛覆盖工种数", "integer", "个", "sum", None, "na", "本单位", "跨单位汇总时可能重复计算同一工种。"),
    ("WF_STUDIOS", "创新工作室数", "integer", "个", "last", "STUDIO_LEVEL", "na", "本单位",
     "劳模、工匠、职工创新工作室和技师工作站，按最高命名级别填报一次。"),
    ("WF_STUDIO_RESULTS", "创新工作室成果数", "integer", "项", "sum", None, "na", "本单位", ""),
    ("WF_STUDIO_PATENTS", "其中：获得专利数", "integer", "项", "sum", None, "na", "本单位", ""),
    ("WF_STUDIO_VALUE", "创新工作室创效金额", "money", "元", "sum", None, "na", "本单位", ""),
    ("WF_WUXIAO_RESULTS", "五小成果数", "integer", "项", "sum", None, "na", "本单位", "小发明、小创造、小革新、小设计、小建议。"),
    ("WF_WUXIAO_PARTICIPANTS", "五小活动参与人数", "integer", "人", "sum", None, "included", ENTERPRISE, ""),
    ("WF_SUGGEST_SUBMITTED", "合理化建议提出数", "integer", "条", "sum", None, "na", "本单位", ""),
    ("WF_SUGGEST_ADOPTED", "合理化建议采纳数", "integer", "条", "sum", None, "na", "本单位", ""),
    ("WF_SUGGEST_VALUE", "合理化建议创效金额", "money", "元", "sum", None, "na", "本单位", ""),
    ("WF_REPS_TOTAL", "两代表一委员人数", "integer", "人", "last", None, "na", "本单位党代表、人大代表、政协委员", ""),
    ("WF_REPS_FRONTLINE", "其中：一线工人", "integer", "人", "last", None, "included", ENTERPRISE, ""),
    ("WF_CONGRESS", "是否建立职工代表大会制度", "boolean", "", "last", None, "na", "本单位", ""),
    ("WF_CONGRESS_DELEGATES", "职工代表人数", "integer", "人", "last", None, "na", "本单位职工代表", ""),
    ("WF_CONGRESS_FRONTLINE", "其中：一线职工代表", "integer", "人", "last", None, "na", "本单位职工代表", ""),
    ("WF_CONTRACT_COVERED", "集体合同覆盖职工人数", "integer", "人", "last", None, "included", "本单位职工", ""),
    ("WF_AWARDEES", "本期获评劳模、工匠等先进人物数", "integer", "人", "sum", None, "na", "本单位", ""),
    ("WF_AWARDEES_WORKERS", "其中：产业工人", "integer", "人", "sum", None, "included", ENTERPRISE, ""),
    ("WF_NOTES", "填报说明", "text", "", "none", None, "na", "", "对本期数据的补充说明（选填）。"),
]

SECTIONS_Y = [
    ("BASIC", "基本情况", ["WF_WORKERS", "WF_WORKERS_GROUP", "WF_FRONTLINE", "WF_TECH_STAFF"]),
    ("THOUGHT", "思想引领", ["WF_NEW_PARTY_MEMBERS", "WF_TALK_SESSIONS", "WF_TALK_SPEAKERS", "WF_TALK_AUDIENCE"]),
    ("CONTRIB", "建功立业", [
        "WF_COMP_HELD", "WF_COMP_PARTICIPANTS", "WF_COMP_TRADES", "WF_STUDIOS", "WF_STUDIO_RESULTS",
        "WF_STUDIO_PATENTS", "WF_STUDIO_VALUE", "WF_WUXIAO_RESULTS", "WF_WUXIAO_PARTICIPANTS",
        "WF_SUGGEST_SUBMITTED", "WF_SUGGEST_ADOPTED", "WF_SUGGEST_VALUE",
    ]),
    ("SKILL", "素质提升", [
        "WF_CERTIFIED", "WF_CERT_BY_LEVEL", "WF_EDU_BY_LEVEL", "WF_EDU_FUND_EXTRACTED", "WF_EDU_FUND_SPENT",
        "WF_EDU_FUND_FRONTLINE", "WF_PAYROLL", "WF_TRAINING_PERSON_TIMES", "WF_TRAINING_HOURS",
        "WF_SELF_EVAL_FILED", "WF_SELF_EVAL_PERSONS",
    ]),
    ("STATUS", "地位提高", [
        "WF_REPS_TOTAL", "WF_REPS_FRONTLINE", "WF_CONGRESS", "WF_CONGRESS_DELEGATES", "WF_CONGRESS_FRONTLINE",
        "WF_CONTRACT_COVERED", "WF_AWARDEES", "WF_AWARDEES_WORKERS",
    ]),
    ("GROW", "队伍壮大", ["WF_NEW_FRONTLINE_HIRES", "WF_UNION_MEMBERS", "WF_NEF_WORKERS", "WF_NEF_MEMBERS"]),
    ("NOTES", "其他", ["WF_NOTES"]),
]
OPTIONAL = {"WF_NOTES"}

SECTIONS_Q = [
    ("BASIC", "基本情况", ["WF_WORKERS", "WF_WORKERS_GROUP"]),
    ("THOUGHT", "思想引领", ["WF_NEW_PARTY_MEMBERS"]),
    ("CONTRIB", "建功立业", ["WF_COMP_HELD", "WF_COMP_PARTICIPANTS", "WF_SUGGEST_SUBMITTED", "WF_SUGGEST_ADOPTED"]),
    ("SKILL", "素质提升", ["WF_TRAINING_PERSON_TIMES"]),
    ("GROW", "队伍壮大", ["WF_NEW_FRONTLINE_HIRES", "WF_UNION_MEMBERS"]),
    ("NOTES", "其他", ["WF_NOTES"]),
]

# total element, total key, parts element
TOTALS_Y = [
    ("WF_WORKERS", "", "WF_WORKERS_GROUP"),
    ("WF_CERTIFIED", "", "WF_CERT_BY_LEVEL"),
    ("WF_WORKERS_GROUP", "NONMIGRANT", "WF_EDU_BY_LEVEL"),
]
TOTALS_Q = [("WF_WORKERS", "", "WF_WORKERS_GROUP")]

E, W = "error", "warning"
# code, name, left, operator, right, importance, message
RULES_Y = [
    ("R_MIGRANT_LE_TOTAL", "农民工不超过总数", "#{WF_WORKERS_GROUP.MIGRANT}", "<=", "#{WF_WORKERS}", E,
     "农民工人数不能大于产业工人总数"),
    ("R_FRONTLINE_LE_TOTAL", "一线职工不超过总数", "#{WF_FRONTLINE}", "<=", "#{WF_WORKERS}", E,
     "一线职工人数不能大于产业工人总数"),
    ("R_CERTIFIED_LE_NONMIGRANT", "持证人数不超过非农民工", "#{WF_CERTIFIED}", "<=", "#{WF_WORKERS_GROUP.NONMIGRANT}", E,
     "持证人数（不含农民工）不能大于非农民工产业工人数"),
    ("R_NEF_MEMBERS_LE_NEF", "新就业形态会员不超过新就业形态劳动者", "#{WF_NEF_MEMBERS}", "<=", "#{WF_NEF_WORKERS}", E,
     "已入会的新就业形态劳动者不能多于新就业形态劳动者人数"),
    ("R_MEMBERS_LE_WORKERS", "会员人数合理", "#{WF_UNION_MEMBERS}", "<=", "#{WF_WORKERS} + #{WF_NEF_WORKERS}", W,
     "工会会员人数超过了产业工人与新就业形态劳动者之和"),
    ("R_FUND_SPENT_LE_EXTRACTED", "教育经费使用不超过提取", "#{WF_EDU_FUND_SPENT}", "<=", "#{WF_EDU_FUND_EXTRACTED}", E,
     "职工教育经费使用额不能大于提取额"),
    ("R_FUND_FRONTLINE_LE_SPENT", "一线使用不超过使用额", "#{WF_EDU_FUND_FRONTLINE}", "<=", "#{WF_EDU_FUND_SPENT}", E,
     "用于一线职工的教育经费不能大于教育经费使用额"),
    ("R_FUND_RATE", "教育经费提取比例", "#{WF_EDU_FUND_EXTRACTED}", ">=", "#{WF_PAYROLL} * 0.015", W,
     "职工教育经费提取额低于工资总额的 1.5%"),
    ("R_FUND_FRONTLINE_SHARE", "教育经费一线使用比例", "#{WF_EDU_FUND_FRONTLINE}", ">=", "#{WF_EDU_FUND_SPENT} * 0.6", W,
     "用于一线职工的教育经费低于使用额的 60%"),
    ("R_SELF_EVAL", "自主评价人数与备案", "#{WF_SELF_EVAL_PERSONS}", "<=", "#{WF_SELF_EVAL_FILED} * #{WF_WORKERS}", W,
     "未完成企业自主评价备案却填报了评价人数，或评价人数超过产业工人总数"),
    ("R_PATENTS_LE_RESULTS", "专利不超过成果", "#{WF_STUDIO_PATENTS}", "<=", "#{WF_STUDIO_RESULTS}", E,
     "获得专利数不能大于创新工作室成果数"),
    ("R_SUGGEST_ADOPTED_LE_SUBMITTED", "采纳不超过提出", "#{WF_SUGGEST_ADOPTED}", "<=", "#{WF_SUGGEST_SUBMITTED}", E,
     "合理化建议采纳数不能大于提出数"),
    ("R_REPS_FRONTLINE_LE_TOTAL", "一线代表不超过总数", "#{WF_REPS_FRONTLINE}", "<=", "#{WF_REPS_TOTAL}", E,
     "两代表一委员中的一线工人不能多于两代表一委员总数"),
    ("R_CONGRESS_FRONTLINE_LE_TOTAL", "一线职工代表不超过总数", "#{WF_CONGRESS_FRONTLINE}", "<=", "#{WF_CONGRESS_DELEGATES}", E,
     "一线职工代表不能多于职工代表总数"),
    ("R_CONGRESS_FRONTLINE_HALF", "一线职工代表过半", "#{WF_CONGRESS_FRONTLINE} * 2", ">=", "#{WF_CONGRESS_DELEGATES}", W,
     "一线职工代表少于职工代表总数的一半"),
    ("R_CONTRACT_LE_WORKERS", "集体合同覆盖人数合理", "#{WF_CONTRACT_COVERED}", "<=", "#{WF_WORKERS}", W,
     "集体合同覆盖职工人数超过了产业工人总数"),
    ("R_AWARDEES_WORKERS_LE_TOTAL", "先进人物中产业工人不超过总数", "#{WF_AWARDEES_WORKERS}", "<=", "#{WF_AWARDEES}", E,
     "先进人物中的产业工人不能多于先进人物总数"),
]
RULES_Q = [r for r in RULES_Y if r[0] in {"R_MIGRANT_LE_TOTAL", "R_SUGGEST_ADOPTED_LE_SUBMITTED"}]

DATASETS = [
    {
        "code": "WF_Y",
        "name": "产业工人队伍基本情况",
        "short_name": "队伍基本情况（年报）",
        "period_type": "year",
        "description": "企业填报本单位数据，由上级产业（系统）工会审核、产改办验收；没有上级产业工会的企业直接报产改办。"
        "各单位只填报本单位数据，不含已单独填报的下属单位。",
        "open_offset_days": -15,
        "deadline_days": 31,
        "grace_days": 10,
        "sections": SECTIONS_Y,
        "totals": TOTALS_Y,
        "rules": RULES_Y,
    },
    {
        "code": "WF_Q",
        "name": "产业工人队伍基本情况（季报）",
        "short_name": "队伍基本情况（季报）",
        "period_type": "quarter",
        "description": "年报的简表，每季度填报。",
        "open_offset_days": 0,
        "deadline_days": 15,
        "grace_days": 10,
        "sections": SECTIONS_Q,
        "totals": TOTALS_Q,
        "rules": RULES_Q,
    },
]


def load(apps, schema_editor=None) -> None:
    """Create whatever of the workforce data sets is missing (see the module docstring)."""
    from django.utils import timezone

    model = lambda name: apps.get_model("reporting", name)  # noqa: E731
    Category, CategoryOption = model("Category"), model("CategoryOption")
    CategoryCombo, CategoryComboCategory = model("CategoryCombo"), model("CategoryComboCategory")
    CategoryOptionCombo, DataElement = model("CategoryOptionCombo"), model("DataElement")
    DataSet, DataSetVersion, Section = model("DataSet"), model("DataSetVersion"), model("Section")
    SectionElement, TotalRelation, ValidationRule = model("SectionElement"), model("TotalRelation"), model("ValidationRule")

    default, _ = CategoryCombo.objects.get_or_create(
        code=DEFAULT_COMBO_CODE, defaults={"name": DEFAULT_COMBO_NAME, "is_default": True}
    )
    CategoryOptionCombo.objects.get_or_create(combo=default, key="", defaults={"name": "合计", "sort_order": 0})

    option_names: dict[str, dict[str, str]] = {}
    for code, name, options in CATEGORIES:
        category, _ = Category.objects.get_or_create(code=code, defaults={"name": name})
        for index, (option_code, option_name) in enumerate(options):
            CategoryOption.objects.get_or_create(
                category=category, code=option_code, defaults={"name": option_name, "sort_order": index}
            )
        option_names[code] = dict(options)

    combos = {DEFAULT_COMBO_CODE: default}
    combo_options: dict[str, dict[str, str]] = {DEFAULT_COMBO_CODE: {}}
    for code, name, category_codes in COMBOS:
        combo, created = CategoryCombo.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            for index, category_code in enumerate(category_codes):
                CategoryComboCategory.objects.create(
                    combo=combo, category=Category.objects.get(code=category_code), sort_order=index
                )
        links = CategoryComboCategory.objects.filter(combo=combo).order_by("sort_order", "id")
        categories = [
            [(o.code, o.name) for o in CategoryOption.objects.filter(category_id=link.category_id).order_by("sort_order", "id")]
            for link in links
        ]
        for index, (key, cell_name) in enumerate(option_combo_cells(categories)):
            CategoryOptionCombo.objects.get_or_create(combo=combo, key=key, defaults={"name": cell_name, "sort_order": index})
        combos[code] = combo
        combo_options[code] = {c: n for cat in categories for c, n in cat}

    elements = {}
    for code, name, value_type, unit, aggregation, combo_code, scope, population, description in ELEMENTS:
        elements[code], _ = DataElement.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "value_type": value_type, "unit": unit, "aggregation": aggregation,
                "category_combo": combos[combo_code or DEFAULT_COMBO_CODE], "migrant_scope": scope,
                "population": population, "source": REPORT, "description": description,
            },
        )

    for spec in DATASETS:
        dataset, _ = DataSet.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"], "short_name": spec["short_name"], "period_type": spec["period_type"],
                "description": spec["description"], "assigned_kinds": ["enterprise"],
                "open_offset_days": spec["open_offset_days"], "deadline_days": spec["deadline_days"],
                "grace_days": spec["grace_days"],
            },
        )
        if DataSetVersion.objects.filter(dataset=dataset).exists():
            continue
        version = DataSetVersion.objects.create(dataset=dataset, number=1, note="初始版本")
        for s_index, (s_code, s_name, codes) in enumerate(spec["sections"]):
            section = Section.objects.create(dataset_version=version, code=s_code, name=s_name, sort_order=s_index)
            for e_index, code in enumerate(codes):
                element = elements[code]
                SectionElement.objects.create(
                    dataset_version=version, section=section, element=element,
                    category_combo_id=element.category_combo_id, required=code not in OPTIONAL, sort_order=e_index,
                )
        for r_code, r_name, left, operator, right, importance, message in spec["rules"]:
            ValidationRule.objects.create(
                dataset_version=version, code=r_code, name=r_name, left=left, operator=operator, right=right,
                importance=importance, message=message,
            )
        for total_code, total_key, parts_code in spec["totals"]:
            TotalRelation.objects.create(
                dataset_version=version, total_element=elements[total_code], total_key=total_key,
                parts_element=elements[parts_code],
            )
            total = elements[total_code]
            names = combo_options[_combo_code(total, combos)]
            total_label = "·".join([total.name, *(names[o] for o in total_key.split(".") if o)])
            ValidationRule.objects.create(
                dataset_version=version,
                **sum_rule_spec(
                    total_code=total_code, total_key=total_key, total_label=total_label,
                    parts_code=parts_code, parts_label=elements[parts_code].name,
                ),
            )
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])


def _combo_code(element, combos) -> str:
    return next(code for code, combo in combos.items() if combo.pk == element.category_combo_id)


# --- Frozen helpers -------------------------------------------------------------------------------------------


def option_combo_cells(categories: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(key, name) of every cell of the cross product of `categories` (each a list of (code, name))."""
    if not categories:
        return [("", DEFAULT_OPTION_COMBO_NAME)]
    cells = []
    for combination in itertools.product(*categories):
        cells.append((".".join(code for code, _name in combination), "·".join(name for _code, name in combination)))
    return cells


def sum_rule_code(total_code: str, total_key: str, parts_code: str) -> str:
    """A stable code for the generated rule of one total relation (at most 100 characters)."""
    key = f"_{total_key.replace('.', '_')}" if total_key else ""
    code = f"SUM_{total_code}{key}_EQ_{parts_code}"
    if len(code) > 100:
        digest = hashlib.sha1(code.encode()).hexdigest()[:10].upper()  # noqa: S324 - a name, not security
        code = f"{code[:89]}_{digest}"
    return code


def sum_rule_spec(*, total_code: str, total_key: str, total_label: str, parts_code: str, parts_label: str) -> dict:
    """The fields of the error rule a total relation implies: the parts add up to the total."""
    key = f".{total_key}" if total_key else ""
    return {
        "code": sum_rule_code(total_code, total_key, parts_code),
        "name": gettext("%(parts)s合计等于%(total)s") % {"parts": parts_label, "total": total_label},
        "left": f"#{{{total_code}{key}}}",
        "operator": "==",
        "right": f"#{{{parts_code}}}",
        "importance": "error",
        "message": gettext("%(parts)s各项之和应等于%(total)s") % {"parts": parts_label, "total": total_label},
        "missing_value_strategy": "skip_if_all",
        "is_generated": True,
    }
