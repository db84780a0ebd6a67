"""The competitions' 建 indicators from records (DOMAIN.md §5: 劳动和技能竞赛项目数、参赛人次、覆盖工种数, and the
winners whose skill level rose), over the sources competitions/sources.py registers. The first three have
reported namesakes (COMP_HELD …, from the statistics report), hence the `_REC` suffix.

Loaded by migration 0002 and restored after a flush (competitions/apps.py); idempotent by code: an indicator the
office has edited is left as it is. Migration code: literal data and the historical model only.
"""

SCOPE = "已开始举办的劳动和技能竞赛（按主办或参赛单位汇总到工会和州市）；竞赛记录"

# code, name, numerator, (factor, decimals, unit), description
INDICATORS = [
    ("COMP_HELD_REC", "劳动和技能竞赛项目数（平台记录）", "#{SRC.COMP_HELD}", ("1", 0, "项"),
     "本期开始举办的劳动和技能竞赛项目数，按主办单位统计。"),
    ("COMP_PARTICIPANTS_REC", "竞赛参赛职工人次（平台记录）", "#{SRC.COMP_PARTICIPANTS}", ("1", 0, "人次"),
     "本期开始举办的竞赛的参赛人次，按参赛单位统计。"),
    ("COMP_TRADES_REC", "竞赛覆盖工种数（平台记录）", "#{SRC.COMP_TRADES}", ("1", 0, "个"),
     "本期开始举办的竞赛覆盖的工种数，按主办单位统计。"),
    ("COMP_WINNERS_RAISED", "竞赛获奖晋升技能等级人数", "#{SRC.COMP_WINNERS_RAISED}", ("1", 0, "人"),
     "本期因竞赛结果晋升技能等级的人数，按参赛单位统计。"),
]  # fmt: skip

# On the leaders' dashboard: the records' figure beside the reported ones.
KEY = {"COMP_PARTICIPANTS_REC"}


def load(apps, schema_editor=None) -> None:
    """Create the competitions' indicators that are missing (by code); never touch existing ones."""
    from decimal import Decimal

    Indicator = apps.get_model("analytics", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, numerator, fmt, description) in enumerate(INDICATORS):
        if code in existing:
            continue
        factor, decimals, unit = fmt
        rows.append(
            Indicator(
                code=code, name=name, short_name="", task="contribution", numerator=numerator, denominator="",
                factor=Decimal(factor), decimals=decimals, unit=unit, migrant_scope="na", scope=SCOPE[:300],
                is_key=code in KEY, description=description, sort_order=1300 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
