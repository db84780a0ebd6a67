"""培训覆盖率 (TRAINING_COVERAGE), over the sources training/sources.py registers.

Loaded by migration 0002 and restored after a flush (training/apps.py); idempotent by code: an indicator the
office has edited is left as it is. Literal data and the historical model only.
"""

INDICATORS = [
    (
        "TRAINING_COVERAGE", "培训覆盖率", "", "#{SRC.TRAINED_EXPECTED}", "#{SRC.TRAINING_EXPECTED}", ("100", 2, "%"),
        "期末存续的州市总工会和省级产业系统公司工会中，本期内至少有一人参加培训并结业的单位所占比例；能力建设",
        "至少有一人结业的州市总工会和省级产业系统公司工会数 ÷ 期末存续的州市总工会和省级产业系统公司工会数。",
    ),
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
                sort_order=1100 + index * 10,
            )
        )
    Indicator.objects.bulk_create(rows)
