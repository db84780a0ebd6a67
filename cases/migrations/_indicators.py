"""The case library's indicators (task 工, progress of the reform work), over its registered sources.

Loaded by migration 0003 and restored after a flush (cases/apps.py); idempotent by code: an indicator the office
has edited is left as it is. Literal data and the historical model only. The sources (#{SRC.…}) are registered by
cases/sources.py when the application starts.
"""

SCOPE = "案例库已发布的改革案例，按案例来源单位或借鉴单位；案例库"
COUNT = ("1", 0, "个")

# code, name, numerator, denominator, (factor, decimals, unit), scope, description
INDICATORS = [
    ("CASES_PUBLISHED", "发布改革案例数", "#{SRC.CASES_PUBLISHED}", "", COUNT, SCOPE,
     "本期在案例库发布、目前仍在库中的案例数，按案例来源单位汇总。"),
    ("CASE_REPLICATIONS", "案例被复制推广次数", "#{SRC.CASE_REPLICATIONS}", "", ("1", 0, "次"), SCOPE,
     "本期其他单位登记借鉴本单位已发布案例的次数。"),
    ("CASE_REPLICATIONS_PER_CASE", "每个发布案例平均被复制推广次数", "#{SRC.CASE_REPLICATIONS}",
     "#{SRC.CASES_PUBLISHED}", ("1", 2, "次"), SCOPE,
     "本期被复制推广次数 ÷ 本期发布案例数（同一单位、同一期间）。"),
    ("CASE_ADOPTIONS", "复制推广他单位案例数", "#{SRC.CASE_ADOPTIONS}", "", COUNT, SCOPE,
     "本期本单位登记借鉴的已发布案例数。"),
]  # fmt: skip


def load(apps, schema_editor=None) -> None:
    """Create the case library's indicators that are missing (by code); never touch existing ones."""
    from decimal import Decimal

    Indicator = apps.get_model("analytics", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, numerator, denominator, fmt, scope, description) in enumerate(INDICATORS):
        if code in existing:
            continue
        factor, decimals, unit = fmt
        rows.append(
            Indicator(
                code=code, name=name, short_name="", task="work", numerator=numerator, denominator=denominator,
                factor=Decimal(factor), decimals=decimals, unit=unit, migrant_scope="na", scope=scope[:300],
                is_key=False, description=description, sort_order=1200 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
