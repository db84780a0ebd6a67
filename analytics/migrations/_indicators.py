"""The indicators shipped with the platform (DOMAIN.md §5), defined over the workforce data sets.

Loaded by migration 0002 and restored after a flush (analytics/apps.py); idempotent by code: an
indicator the office has edited is left as it is. Migration code: literal data and the historical
model only, nothing of the live application, so what the migration creates never changes. Rates of certification and education are over
NON-migrant workers (the speech's 13.71% and 25.16%); the same counts over all workers are
separate indicators whose names say so.
"""

NONMIGRANT = "非农民工产业工人（不含农民工）；企业填报"
ALL = "全部产业工人（含农民工）；企业填报"
UNIT = "本单位；企业填报"
HIGH_SKILL = (
    "#{WF_CERT_BY_LEVEL.SENIOR} + #{WF_CERT_BY_LEVEL.TECHNICIAN} + #{WF_CERT_BY_LEVEL.SENIOR_TECHNICIAN}"
    " + #{WF_CERT_BY_LEVEL.SPECIAL_TECHNICIAN} + #{WF_CERT_BY_LEVEL.CHIEF_TECHNICIAN}"
)
COLLEGE = "#{WF_EDU_BY_LEVEL.POSTGRADUATE} + #{WF_EDU_BY_LEVEL.BACHELOR} + #{WF_EDU_BY_LEVEL.COLLEGE}"
PCT = ("100", 2, "%")

# code, name, task, numerator, denominator, (factor, decimals, unit), migrant scope, scope, key, description
INDICATORS = [
    ("WORKERS_TOTAL", "产业工人总量（含农民工）", "growth", "#{WF_WORKERS}", "", ("1", 0, "人"), "included", ALL, True,
     "报告期末人数。"),
    ("WORKERS_NONMIGRANT", "产业工人总量（不含农民工）", "growth", "#{WF_WORKERS_GROUP.NONMIGRANT}", "", ("1", 0, "人"),
     "excluded", NONMIGRANT, False, "持证率、学历占比的分母。"),
    ("MIGRANT_SHARE", "农民工占比", "growth", "#{WF_WORKERS_GROUP.MIGRANT}", "#{WF_WORKERS_GROUP}", PCT, "included",
     ALL, False, "农民工 ÷ 全部产业工人。"),
    ("CERT_RATE", "持证率（技能等级证书）", "skills", "#{WF_CERTIFIED}", "#{WF_WORKERS_GROUP.NONMIGRANT}", PCT,
     "excluded", NONMIGRANT, True, "持有技能等级证书人数 ÷ 非农民工产业工人数；两者均不含农民工。"),
    ("CERT_RATE_ALL", "持证人数占全部产业工人比例（含农民工口径）", "skills", "#{WF_CERTIFIED}", "#{WF_WORKERS}", PCT,
     "included", ALL, False, "分母含农民工，分子不含农民工，仅供与全部产业工人比较，不是持证率。"),
    ("COLLEGE_RATE", "大专及以上学历占比", "skills", COLLEGE, "#{WF_WORKERS_GROUP.NONMIGRANT}", PCT, "excluded",
     NONMIGRANT, True, "研究生、本科、大专人数之和 ÷ 非农民工产业工人数。"),
    ("COLLEGE_RATE_ALL", "大专及以上人数占全部产业工人比例（含农民工口径）", "skills", COLLEGE, "#{WF_WORKERS}", PCT,
     "included", ALL, False, "分母含农民工，仅供与全部产业工人比较。"),
    ("HIGH_SKILL_COUNT", "高技能人才数", "skills", HIGH_SKILL, "", ("1", 0, "人"), "excluded", NONMIGRANT, False,
     "高级工（三级）及以上各级持证人数之和。"),
    ("HIGH_SKILL_SHARE", "高技能人才占技能人才比例", "skills", HIGH_SKILL, "#{WF_CERT_BY_LEVEL}", PCT, "excluded",
     NONMIGRANT, True, "高级工及以上 ÷ 全部持证人数。"),
    ("EDU_FUND_RATE", "职工教育经费提取率", "skills", "#{WF_EDU_FUND_EXTRACTED}", "#{WF_PAYROLL}", PCT, "na", UNIT,
     False, "提取额 ÷ 工资总额；一般企业应不低于 1.5%。"),
    ("EDU_FUND_FRONTLINE_SHARE", "职工教育经费一线使用比例", "skills", "#{WF_EDU_FUND_FRONTLINE}",
     "#{WF_EDU_FUND_SPENT}", PCT, "na", UNIT, True, "用于一线职工 ÷ 使用额；应不低于 60%。"),
    ("TRAINING_PERSON_TIMES", "职业技能培训人次", "skills", "#{WF_TRAINING_PERSON_TIMES}", "", ("1", 0, "人次"),
     "included", ALL, False, ""),
    ("TRAINING_HOURS_PER_WORKER", "人均培训学时", "skills", "#{WF_TRAINING_HOURS}", "#{WF_WORKERS}", ("1", 1, "学时"),
     "included", ALL, False, "培训总学时 ÷ 产业工人总数（含农民工）。"),
    ("SELF_EVAL_FILED", "完成企业自主评价备案的单位数", "skills", "#{WF_SELF_EVAL_FILED}", "", ("1", 0, "家"), "na",
     UNIT, False, ""),
    ("SELF_EVAL_PERSONS", "企业自主评价人数", "skills", "#{WF_SELF_EVAL_PERSONS}", "", ("1", 0, "人"), "included", ALL,
     False, ""),
    ("NEW_PARTY_MEMBERS", "新发展一线产业工人党员数", "thought", "#{WF_NEW_PARTY_MEMBERS}", "", ("1", 0, "人"),
     "included", ALL, False, ""),
    ("TALK_SESSIONS", "宣讲场次", "thought", "#{WF_TALK_SESSIONS}", "", ("1", 0, "场"), "na", UNIT, False, ""),
    ("TALK_SPEAKERS", "宣讲人数", "thought", "#{WF_TALK_SPEAKERS}", "", ("1", 0, "人"), "included", ALL, False, ""),
    ("TALK_AUDIENCE", "宣讲覆盖职工人次", "thought", "#{WF_TALK_AUDIENCE}", "", ("1", 0, "人次"), "included", ALL,
     False, ""),
    ("COMP_HELD", "劳动和技能竞赛项目数", "contribution", "#{WF_COMP_HELD}", "", ("1", 0, "项"), "na", UNIT, False, ""),
    ("COMP_PARTICIPANTS", "竞赛参赛职工人次", "contribution", "#{WF_COMP_PARTICIPANTS}", "", ("1", 0, "人次"),
     "included", ALL, False, ""),
    ("COMP_TRADES", "竞赛覆盖工种数", "contribution", "#{WF_COMP_TRADES}", "", ("1", 0, "个"), "na", UNIT, False,
     "跨单位汇总时同一工种可能重复计算。"),
    ("STUDIOS", "创新工作室数", "contribution", "#{WF_STUDIOS}", "", ("1", 0, "个"), "na", UNIT, False,
     "可按级别分列。"),
    ("STUDIO_RESULTS", "创新工作室成果数", "contribution", "#{WF_STUDIO_RESULTS}", "", ("1", 0, "项"), "na", UNIT,
     False, ""),
    ("STUDIO_VALUE", "创新工作室创效金额", "contribution", "#{WF_STUDIO_VALUE}", "", ("1", 2, "元"), "na", UNIT, False,
     ""),
    ("WUXIAO_RESULTS", "五小成果数", "contribution", "#{WF_WUXIAO_RESULTS}", "", ("1", 0, "项"), "na", UNIT, False, ""),
    ("WUXIAO_PARTICIPANTS", "五小活动参与人数", "contribution", "#{WF_WUXIAO_PARTICIPANTS}", "", ("1", 0, "人"),
     "included", ALL, False, ""),
    ("SUGGEST_SUBMITTED", "合理化建议提出数", "contribution", "#{WF_SUGGEST_SUBMITTED}", "", ("1", 0, "条"), "na",
     UNIT, False, ""),
    ("SUGGEST_ADOPTION_RATE", "合理化建议采纳率", "contribution", "#{WF_SUGGEST_ADOPTED}", "#{WF_SUGGEST_SUBMITTED}",
     PCT, "na", UNIT, False, "采纳数 ÷ 提出数。"),
    ("SUGGEST_VALUE", "合理化建议创效金额", "contribution", "#{WF_SUGGEST_VALUE}", "", ("1", 2, "元"), "na", UNIT,
     False, ""),
    ("REPS_FRONTLINE_SHARE", "两代表一委员中一线工人占比", "status", "#{WF_REPS_FRONTLINE}", "#{WF_REPS_TOTAL}", PCT,
     "na", UNIT, True, ""),
    ("CONGRESS_UNITS", "建立职工代表大会制度的单位数", "status", "#{WF_CONGRESS}", "", ("1", 0, "家"), "na", UNIT,
     False, ""),
    ("CONGRESS_FRONTLINE_SHARE", "职工代表中一线职工比例", "status", "#{WF_CONGRESS_FRONTLINE}",
     "#{WF_CONGRESS_DELEGATES}", PCT, "na", "本单位职工代表；企业填报", False, "应不低于 50%。"),
    ("CONTRACT_COVERAGE", "集体合同覆盖率", "status", "#{WF_CONTRACT_COVERED}", "#{WF_WORKERS}", PCT, "included", ALL,
     False, "覆盖职工人数 ÷ 产业工人总数（含农民工）。"),
    ("AWARDEES_WORKER_SHARE", "劳模、工匠等先进中产业工人占比", "status", "#{WF_AWARDEES_WORKERS}", "#{WF_AWARDEES}",
     PCT, "na", UNIT, False, ""),
    ("UNION_MEMBERSHIP_RATE", "入会率（含新就业形态劳动者）", "growth", "#{WF_UNION_MEMBERS}",
     "#{WF_WORKERS} + #{WF_NEF_WORKERS}", PCT, "included", "产业工人（含农民工）与新就业形态劳动者；企业填报", True,
     ""),
    ("NEF_MEMBERSHIP_RATE", "新就业形态劳动者入会率", "growth", "#{WF_NEF_MEMBERS}", "#{WF_NEF_WORKERS}", PCT, "na",
     "新就业形态劳动者；企业填报", False, ""),
    ("NEW_FRONTLINE_HIRES", "一线职工增量", "growth", "#{WF_NEW_FRONTLINE_HIRES}", "", ("1", 0, "人"), "included", ALL,
     False, "本期新增一线职工人数。"),
]  # fmt: skip


def load(apps, schema_editor=None) -> None:
    """Create the shipped indicators that are missing (by code); never touch existing ones."""
    from decimal import Decimal

    Indicator = apps.get_model("analytics", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, task, numerator, denominator, fmt, migrant, scope, key, description) in enumerate(
        INDICATORS
    ):
        if code in existing:
            continue
        factor, decimals, unit = fmt
        rows.append(
            Indicator(
                code=code,
                name=name,
                task=task,
                numerator=numerator,
                denominator=denominator,
                factor=Decimal(factor),
                decimals=decimals,
                unit=unit,
                migrant_scope=migrant,
                scope=scope,
                is_key=key,
                description=description,
                sort_order=index * 10,
            )  # fmt: skip
        )
    Indicator.objects.bulk_create(rows)
