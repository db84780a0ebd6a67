"""The suggestions' 建 indicators from records (DOMAIN.md §5: 合理化建议提出数、采纳率、创效金额, 五小成果数、参与人数),
over the sources suggestions/sources.py registers. The reported indicators of the same names (SUGGEST_SUBMITTED …,
from the statistics report) keep their codes; these carry the `_REC` suffix.

Loaded by migration 0002 and restored after a flush (suggestions/apps.py); idempotent by code: an indicator the
office has edited is left as it is. Migration code: literal data and the historical model only.
"""

SCOPE = "工会为职工录入的合理化建议和五小成果（按建议人所在单位汇总到工会和州市）；合理化建议"

# code, name, numerator, denominator, (factor, decimals, unit), description
INDICATORS = [
    ("SUGGEST_SUBMITTED_REC", "合理化建议提出数（平台记录）", "#{SRC.SUGGESTIONS_SUBMITTED}", "", ("1", 0, "条"),
     "提出日期在本期内的合理化建议和五小（各类别合计），由记录汇总。"),
    ("SUGGEST_ADOPTED_REC", "合理化建议采纳数（平台记录）", "#{SRC.SUGGESTIONS_ADOPTED}", "", ("1", 0, "条"),
     "采纳日期在本期内的建议，由记录汇总。"),
    ("SUGGEST_ADOPTION_RATE_REC", "合理化建议采纳率（平台记录）", "#{SRC.SUGGESTIONS_ADOPTED}", "#{SRC.SUGGESTIONS_DECIDED}",
     ("100", 2, "%"), "本期内作出决定的建议中被采纳的比例：采纳数 ÷（采纳数 + 不采纳数）；尚未决定的不计入。"),
    ("SUGGEST_VALUE_REC", "合理化建议创效金额（平台记录）", "#{SRC.SUGGESTIONS_VALUE}", "", ("1", 2, "元"),
     "效益评估日期在本期内的建议评估的创效金额合计。"),
    ("WUXIAO_RESULTS_REC", "五小成果数（平台记录）", "#{SRC.WUXIAO_RESULTS}", "", ("1", 0, "项"),
     "本期内被采纳的小发明、小创造、小革新、小设计、小建议。"),
    ("WUXIAO_PARTICIPANTS_REC", "五小活动参与人数（平台记录）", "#{SRC.WUXIAO_PARTICIPANTS}", "", ("1", 0, "人"),
     "本期内提出五小成果的建议人，每个单位内同一人计一次。"),
]  # fmt: skip

# On the leaders' dashboard: the records' figure beside the reported ones.
KEY = {"SUGGEST_ADOPTION_RATE_REC"}


def load(apps, schema_editor=None) -> None:
    """Create the suggestions' indicators that are missing (by code); never touch existing ones."""
    from decimal import Decimal

    Indicator = apps.get_model("analytics", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, numerator, denominator, fmt, description) in enumerate(INDICATORS):
        if code in existing:
            continue
        factor, decimals, unit = fmt
        rows.append(
            Indicator(
                code=code, name=name, short_name="", task="contribution", numerator=numerator,
                denominator=denominator, factor=Decimal(factor), decimals=decimals, unit=unit, migrant_scope="na",
                scope=SCOPE[:300], is_key=code in KEY, description=description, sort_order=1400 + index * 10,
            )
        )  # fmt: skip
    Indicator.objects.bulk_create(rows)
