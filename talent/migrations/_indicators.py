"""The talent pool's indicators over the sources talent/sources.py registers.

劳模、工匠等先进中产业工人占比 (DOMAIN.md §5) exists as a reported indicator (AWARDEES_WORKER_SHARE, from the
statistics report); the one computed from the pool's records carries the _REC suffix. Loaded by migration
0003 and restored after a flush (talent/apps.py); idempotent by code: an indicator the office has edited is
left as it is. Migration code: literal data and the historical model only.
"""

SCOPE = "人才库中登记的荣誉（按获奖人现所在单位；移出人才库后不再计入）；人才库"
STOCK = "期末在人才库中的人员；人才库"

# code, name, task, numerator, denominator, (factor, decimals, unit), scope, description
INDICATORS = [
    ("AWARDEES_WORKER_SHARE_REC", "劳模、工匠等先进中产业工人占比（平台记录）", "status",
     "#{SRC.TALENT_AWARDEES_INDUSTRIAL}", "#{SRC.TALENT_AWARDEES}", ("100", 2, "%"), SCOPE,
     "本期获评先进人物中产业工人所占比例：获评的产业工人人数 ÷ 获评先进人物人数（每人计一次）。"),
    ("TALENT_HONOURS_COUNT", "获得荣誉数（平台记录）", "contribution", "#{SRC.TALENT_HONOURS}", "", ("1", 0, "项"),
     SCOPE, "本期授予的劳模、五一劳动奖章、工匠等荣誉项数。"),
    ("TALK_SPEAKERS_REC", "宣讲人数（平台记录）", "thought", "#{SRC.TALENT_SPEAKERS}", "", ("1", 0, "人"), STOCK,
     "期末人才库中的宣讲人人数。"),
    ("HIGH_SKILL_COUNT_REC", "高技能人才数（平台记录）", "skills", "#{SRC.TALENT_HIGH_SKILLED}", "",
     ("1", 0, "人"), STOCK, "期末人才库中技能等级为技师及以上的人数。"),
]  # fmt: skip

# On the leaders' dashboard: the records' figure beside the reported ones.
KEY = {"AWARDEES_WORKER_SHARE_REC"}


def load(apps, schema_editor=None) -> None:
    """Create the talent pool's indicators that are missing (by code); never touch existing ones."""
    from decimal import Decimal

    Indicator = apps.get_model("analytics", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, task, numerator, denominator, fmt, scope, description) in enumerate(INDICATORS):
        if code in existing:
            continue
        factor, decimals, unit = fmt
        rows.append(
            Indicator(
                code=code, name=name, short_name="", task=task, numerator=numerator, denominator=denominator,
                factor=Decimal(factor), decimals=decimals, unit=unit, migrant_scope="na", scope=scope[:300],
                is_key=code in KEY, description=description, sort_order=1500 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
