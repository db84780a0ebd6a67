"""政策使用率, over the policy library's registered sources (policies/sources.py).

Loaded by migration 0002 and restored after a flush (policies/apps.py); idempotent by code. Migration code: literal
data and the historical model only.
"""

INDICATORS = [
    ("POLICY_USE_RATE", "政策使用率", "", "#{SRC.POLICY_USED}", "#{SRC.POLICY_ELIGIBLE}", ("100", 2, "%"),
     "已提交政策落实情况表的企业和基层单位，对其符合条件的政策；政策落实填报",
     "填报“享受了”的政策项数 ÷ 符合条件并已填报的政策项数。未填报的单位不计入分母。"),
]  # fmt: skip


def load(apps, schema_editor=None) -> None:
    """Create the indicators that are missing (by code); never touch existing ones."""
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
                code=code, name=name, short_name=short_name, task="work", numerator=numerator,
                denominator=denominator, factor=Decimal(factor), decimals=decimals, unit=unit, migrant_scope="na",
                scope=scope[:300], is_key=False, description=description, sort_order=1100 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
