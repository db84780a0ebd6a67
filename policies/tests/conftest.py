import pytest


@pytest.fixture
def world(tree):
    """The small province with 2021 figures (昆明供电局 large, 曲靖供电局 small, 云南铜业股份 none) and three
    published measures: one for large enterprises, one for everyone, one for Kunming."""
    from policies.tests.factories import figures, make_measure

    figures(tree)
    large = make_measure("大型企业职业技能培训补贴", rules=[("workers", "gte", "500")])
    everyone = make_measure("技能人才薪酬分配指引", category="pay")
    kunming = make_measure("昆明市技能人才住房保障", category="rights", rules=[("region", "in", "530100")])
    return tree, {"large": large, "everyone": everyone, "kunming": kunming}
