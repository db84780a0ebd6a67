"""The 工 indicators (progress of the reform work itself), over the ledger's registered sources.

Loaded by migration 0002 and restored after a flush (ledger/apps.py); idempotent by code: an indicator
the office has edited is left as it is. Migration code: literal data and the historical model only,
nothing of the live application, so what the migration creates never changes. The sources they name
(#{SRC.…}) are registered by ledger/sources.py when the application starts.
"""

ORGS = "列入产改台账的省级产业系统公司工会和企业（含下属台账单位）；产改台账"
PCT = ("100", 2, "%")

# code, name, short name, numerator, denominator, (factor, decimals, unit), scope, description
INDICATORS = [
    ("PLAN_ONTIME_RATE", "实施方案出台及时率", "", "#{SRC.PLANS_ON_TIME}", "#{SRC.LEDGER_ORGS}", PCT,
     "期末已列入产改台账的单位中，在产改台账设置的实施方案出台期限前印发实施方案的单位所占比例；" + ORGS,
     "按期出台实施方案的单位数 ÷ 期末列入台账的单位数。单位在列入台账前出台的方案，自列入之日起计入。"),
    ("GROUP_RATE", "领导小组建立率", "", "#{SRC.GROUPS}", "#{SRC.LEDGER_ORGS}", PCT,
     "期末已列入产改台账的单位中，已成立产改领导小组的单位所占比例；" + ORGS,
     "已建立领导小组的单位数 ÷ 期末列入台账的单位数。"),
    ("OFFICER_RATE", "信息员配备率", "", "#{SRC.OFFICERED}", "#{SRC.LEDGER_ORGS}", PCT,
     "期末已列入产改台账的单位中，同时有在任信息员和在任联络员的单位所占比例；" + ORGS,
     "期末配齐信息员和联络员的单位数 ÷ 期末列入台账的单位数。只配备其中一类的不计入分子。"),
    ("QUANTIFIED_SHARE", "量化目标占比", "", "#{SRC.QUANTIFIED_TASKS}", "#{SRC.TASKS}", PCT,
     "期末在办的改革任务（已录入或已开始、尚未完成、未取消）中，目标为指标值或量化成果的任务所占比例；"
     "台账单位的改革任务；产改台账",
     "有量化目标的在办任务数 ÷ 在办任务数。"),
    ("WRITTEN_ONTIME_RATE", "书面报告按时报送率", "", "#{SRC.WRITTEN_ON_TIME}", "#{SRC.WRITTEN_DUE}", PCT,
     "报送截止日期在本期内的九个方面书面报告（每个台账单位每期一份）中，首次提交不晚于截止日期的所占比例；" + ORGS,
     "按时报送份数 ÷ 应报份数。"),
]  # fmt: skip


def load(apps, schema_editor=None) -> None:
    """Create the 工 indicators that are missing (by code); never touch existing ones."""
    from decimal import Decimal

    Indicator = apps.get_model("analytics", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, short_name, numerator, denominator, fmt, scope, description) in enumerate(INDICATORS):
        if code in existing:
            continue
        factor, decimals, unit = fmt
        rows.append(
            Indicator(
                code=code,
                name=name,
                short_name=short_name,
                task="work",
                numerator=numerator,
                denominator=denominator,
                factor=Decimal(factor),
                decimals=decimals,
                unit=unit,
                migrant_scope="na",
                scope=scope[:300],
                is_key=False,
                description=description,
                sort_order=1000 + index * 10,
            )
        )
    Indicator.objects.bulk_create(rows)
