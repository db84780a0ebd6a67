"""The studios' 建 indicators (DOMAIN.md §5: 创新工作室数 by level, results, patents, value created), over the
sources studios/sources.py registers. Where a reported indicator has the same name (analytics: STUDIOS,
STUDIO_RESULTS, STUDIO_VALUE over WF_*), the record-derived one carries the `_REC` suffix.

Loaded by migration 0002 and restored after a flush (studios/apps.py); idempotent by code: an indicator the office
has edited is left as it is. Migration code: literal data and the historical model only.
"""

SCOPE = "已命名、未撤销的创新工作室和技师工作站（按所属单位汇总到工会和州市）；工作室登记"
RESULTS = "创新工作室登记的成果（按所属单位汇总）；工作室登记"

# code, name, numerator, denominator, (factor, decimals, unit), scope, description
INDICATORS = [
    ("STUDIOS_REC", "创新工作室数（平台记录）", "#{SRC.STUDIO_STOCK}", "", ("1", 0, "个"), SCOPE,
     "期末已命名、未撤销的创新工作室和技师工作站个数，来自工作室登记。"),
    ("STUDIOS_PROVINCIAL_UP", "省级及以上创新工作室数（平台记录）", "#{SRC.STUDIO_STOCK_PROV_UP}", "", ("1", 0, "个"), SCOPE,
     "期末级别为全国或省级、未撤销的创新工作室个数。"),
    ("STUDIO_RESULTS_REC", "创新工作室成果数（平台记录）", "#{SRC.STUDIO_RESULT_ITEMS}", "", ("1", 0, "项"), RESULTS,
     "本期取得的工作室成果数，来自工作室成果登记。"),
    ("STUDIO_PATENTS_COUNT", "创新工作室专利数（平台记录）", "#{SRC.STUDIO_PATENT_ITEMS}", "", ("1", 0, "项"), RESULTS,
     "本期取得的工作室专利数，来自工作室成果登记。"),
    ("STUDIO_VALUE_REC", "创新工作室创效金额（平台记录）", "#{SRC.STUDIO_RESULT_VALUE}", "", ("1", 2, "元"), RESULTS,
     "本期取得的工作室成果创造的效益，来自工作室成果登记。"),
]  # fmt: skip

# On the leaders' dashboard: the records' figure beside the reported ones.
KEY = {"STUDIOS_REC"}


def load(apps, schema_editor=None) -> None:
    """Create the studios' indicators that are missing (by code); never touch existing ones."""
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
                code=code, name=name, short_name="", task="contribution", numerator=numerator,
                denominator=denominator, factor=Decimal(factor), decimals=decimals, unit=unit, migrant_scope="na",
                scope=scope[:300], is_key=code in KEY, description=description, sort_order=1350 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
