"""The topics cases are tagged with, as shipped (frozen here: migrations never import live code).

The office may add, rename or switch off topics on 案例专题 afterwards; `load` only adds names that are missing.
"""

TOPICS = (
    "思想政治引领",
    "技能培训体系",
    "职业发展通道",
    "技能导向薪酬",
    "技能等级自主评价",
    "师带徒",
    "劳动和技能竞赛",
    "创新工作室",
    "五小创新与合理化建议",
    "民主管理",
    "产业工人之家",
    "农民工技能提升",
    "产教融合",
    "关心关爱",
    "新就业形态劳动者入会",
)


def load(apps) -> int:
    """Add the shipped topics that are missing (by name); the number added."""
    Topic = apps.get_model("cases", "Topic")
    known = set(Topic.objects.values_list("name", flat=True))
    missing = [Topic(name=name, order=(i + 1) * 10) for i, name in enumerate(TOPICS) if name not in known]
    Topic.objects.bulk_create(missing)
    return len(missing)
