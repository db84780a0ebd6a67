"""GB/T 2260 codes of Yunnan and its 16 prefecture-level divisions, as migration 0002 loads them.

Migration code: a frozen copy of the data (orgs/regions.py keeps the list the pages use), loaded
with the historical model, so what the migration creates never changes with the application.
orgs/apps.py runs `load` again after a flush. Idempotent.
"""

PROVINCE = ("530000", "云南省")
PREFECTURES = [
    ("530100", "昆明市"),
    ("530300", "曲靖市"),
    ("530400", "玉溪市"),
    ("530500", "保山市"),
    ("530600", "昭通市"),
    ("530700", "丽江市"),
    ("530800", "普洱市"),
    ("530900", "临沧市"),
    ("532300", "楚雄彝族自治州"),
    ("532500", "红河哈尼族彝族自治州"),
    ("532600", "文山壮族苗族自治州"),
    ("532800", "西双版纳傣族自治州"),
    ("532900", "大理白族自治州"),
    ("533100", "德宏傣族景颇族自治州"),
    ("533300", "怒江傈僳族自治州"),
    ("533400", "迪庆藏族自治州"),
]


def load(apps, schema_editor):
    Region = apps.get_model("orgs", "Region")
    province, _ = Region.objects.update_or_create(code=PROVINCE[0], defaults={"name": PROVINCE[1]})
    for code, name in PREFECTURES:
        Region.objects.update_or_create(code=code, defaults={"name": name, "parent": province})
