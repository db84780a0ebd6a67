"""The demonstration sites' 工 indicators (DOMAIN.md §5: 示范点数 by batch level, 指导次数, follow-ups completed),
over the sources sites/sources.py registers.

Loaded by migration 0002 and restored after a flush (sites/apps.py); idempotent by code: an indicator the office
has edited is left as it is. Migration code: literal data and the historical model only.
"""

SCOPE = "已公布、未撤销的示范点（按示范点所在单位汇总到工会和州市）；示范点"
COUNT = ("1", 0, "个")

# code, name, numerator, denominator, (factor, decimals, unit), scope, description
INDICATORS = [
    ("SITES_COUNT", "示范点数", "#{SRC.SITES}", "", COUNT, SCOPE, "期末已公布、未撤销的示范点个数（各级批次合计）。"),
    ("SITES_PROVINCIAL_COUNT", "省级示范点数", "#{SRC.SITES_PROVINCIAL}", "", COUNT, SCOPE,
     "期末省级批次中已公布、未撤销的示范点个数。"),
    ("SITES_GROUP_COUNT", "集团级示范点数", "#{SRC.SITES_GROUP}", "", COUNT, SCOPE,
     "期末集团级批次中已公布、未撤销的示范点个数。"),
    ("SITES_PREFECTURE_COUNT", "州市级示范点数", "#{SRC.SITES_PREFECTURE}", "", COUNT, SCOPE,
     "期末州市级批次中已公布、未撤销的示范点个数。"),
    ("SITE_VISITS_COUNT", "指导次数", "#{SRC.SITE_VISITS}", "", ("1", 0, "次"), "指导组对示范点的走访；示范点",
     "本期指导组走访示范点的次数。"),
    ("SITE_FOLLOWUP_DONE_RATE", "跟进事项完成率", "#{SRC.SITE_FOLLOWUPS_DONE}", "#{SRC.SITE_FOLLOWUPS}",
     ("100", 2, "%"), "指导走访提出的跟进事项；示范点", "完成期限在本期内的跟进事项中已办结的比例：已完成数 ÷ 总数。"),
]  # fmt: skip


def load(apps, schema_editor=None) -> None:
    """Create the sites' indicators that are missing (by code); never touch existing ones."""
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
                is_key=False, description=description, sort_order=1100 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
