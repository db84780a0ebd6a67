"""The demo province: the real names of the reference speech plus sample data marked as such.

`load_demo()` is idempotent. It matches organisations by code, demo accounts by username,
memberships by (user, organisation, role) and assignments by (department, enterprise), and
creates only what is missing. What is already there is kept as it is: a name edited in the
UI, a move, a closure or a revoked role survives a re-run, and nothing is ever deleted. An
ordinary (non-demo) account that happens to use a demo username is left alone.
`reset_passwords=True` sets the demo accounts' password back to DEMO_PASSWORD. The demo
accounts all share that published password, so it is hashed (Argon2) once per load.

Organisations are bulk-created with their materialised paths computed here (treebeard's
layout: steplen 4, base 36), each with its parent links (OrgLink) and pinyin initials;
roles go through `membership_grant` and assignments through `assignment_create`. Everything
written outside a service is counted in one `demo.load` audit row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.errors import UserError
from orgs import services
from orgs.choices import Industry, OrgKind, Ownership, Role
from orgs.models import Assignment, Membership, Organisation, OrgLink, Region
from orgs.pinyin import initials
from orgs.scoping import within
from orgs.validators import credit_code_check_char

DEMO_PASSWORD = "Changai@2026"  # noqa: S105 - the published password of the local demo accounts
SYSTEM = Actor.system("demo")
PROVINCE_CODE = "530000"
OFFICE_CODE = "OFFICE"
CAT_PREFECTURES = "CAT-PREF"
CAT_UNIONS = "CAT-UNION"
CAT_DEPARTMENTS = "CAT-DEPT"
# The demo's history starts with the national reform plan's year; every first link begins here.
EPOCH = dt.date(2017, 1, 1)
ASSIGNED_FROM = dt.date(2020, 1, 1)
SAMPLE_MARK = "（示例）"

# GB/T 2260 prefecture codes, in the standard's order (names come from the Region table).
PREFECTURE_CODES = (
    "530100", "530300", "530400", "530500", "530600", "530700", "530800", "530900",
    "532300", "532500", "532600", "532800", "532900", "533100", "533300", "533400",
)  # fmt: skip
# Short place names used in sample enterprise names.
PLACES = {
    "530100": "昆明", "530300": "曲靖", "530400": "玉溪", "530500": "保山", "530600": "昭通",
    "530700": "丽江", "530800": "普洱", "530900": "临沧", "532300": "楚雄", "532500": "红河",
    "532600": "文山", "532800": "西双版纳", "532900": "大理", "533100": "德宏", "533300": "怒江",
    "533400": "迪庆",
}  # fmt: skip

C, P = Ownership.CENTRAL, Ownership.PROVINCIAL


@dataclass(frozen=True)
class OrgSpec:
    """One demo organisation; `parent` is the parent's code (None for the province)."""

    code: str
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    ownership: str = ""
    industry: str = ""
    region: str = ""
    credit_code: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    is_sample: bool = False
    notes: str = ""
    # Earlier parents, oldest first: (parent code, valid_from, valid_to); the current link follows.
    history: tuple[tuple[str, dt.date, dt.date], ...] = ()


@dataclass(frozen=True)
class UnionSpec:
    """A provincial industry/system/company union and what its sample enterprises look like."""

    code: str
    name: str
    short_name: str
    ownership: str
    industry: str
    sample: bool
    # Real-sounding enterprises (name, region, short name), or empty to generate them from `trades`.
    enterprises: tuple[tuple[str, str, str], ...] = ()
    trades: tuple[str, ...] = ()  # endings of generated enterprise names (after a place name)
    stem: str = ""  # a company group's name stem for its generated subsidiaries


# The seven unions the speech names (2021-07-30), with their companies' full names.
REAL_UNIONS = (
    UnionSpec(
        "U01", "云南电网有限责任公司", "云南电网", C, Industry.D, False,
        enterprises=(
            ("昆明供电局", "530100", "昆明供电局"),
            ("曲靖供电局", "530300", "曲靖供电局"),
            ("大理供电局", "532900", "大理供电局"),
            ("红河供电局", "532500", "红河供电局"),
        ),
    ),
    UnionSpec(
        "U02", "中国铜业有限公司", "中国铜业", C, Industry.C, False,
        enterprises=(
            ("云南铜业股份有限公司", "530100", "云铜股份"),
            ("云南驰宏锌锗股份有限公司", "530300", "驰宏锌锗"),
            ("玉溪矿业有限公司", "530400", "玉溪矿业"),
        ),
    ),
    UnionSpec(
        "U03", "云天化集团有限责任公司", "云天化集团", P, Industry.C, False,
        enterprises=(
            ("云南云天化股份有限公司", "530100", "云天化股份"),
            ("云南磷化集团有限公司", "530100", "磷化集团"),
            ("云南云天化红磷化工有限公司", "532500", "红磷化工"),
            ("云南水富云天化有限公司", "530600", "水富云天化"),
        ),
    ),
    UnionSpec(
        "U04", "云南农垦集团有限责任公司", "云南农垦集团", P, Industry.A, False,
        enterprises=(
            ("云南天然橡胶产业集团有限公司", "532800", "天然橡胶"),
            ("云南农垦咖啡有限公司", "530800", "农垦咖啡"),
            ("云南农垦德宏糖业有限公司", "533100", "德宏糖业"),
        ),
    ),
    UnionSpec(
        "U05", "云南省建设投资控股集团有限公司", "云南建投集团", P, Industry.E, False,
        enterprises=(
            ("云南建投第一建设有限公司", "530100", "建投一建"),
            ("云南建投第二建设有限公司", "530900", "建投二建"),
            ("云南建投第三建设有限公司", "532900", "建投三建"),
        ),
    ),
    UnionSpec(
        "U06", "中国铁路昆明局集团有限公司", "昆明铁路局", C, Industry.G, False,
        enterprises=(
            ("昆明机务段", "530100", "昆明机务段"),
            ("昆明车辆段", "530100", "昆明车辆段"),
            ("开远工务段", "532500", "开远工务段"),
            ("大理车务段", "532900", "大理车务段"),
        ),
    ),
    UnionSpec(
        "U07", "云南省交通投资建设集团有限公司", "云南交投", P, Industry.G, False,
        enterprises=(
            ("云南交投公路建设有限公司", "530100", "交投公路建设"),
            ("云南交投集团昭通管理处", "530600", "昭通管理处"),
            ("云南交投集团普洱管理处", "530800", "普洱管理处"),
        ),
    ),
)  # fmt: skip


def _industry_union(code: str, name: str, industry: str, *trades: str) -> UnionSpec:
    """A sample provincial industry union; its member enterprises are named after `trades`."""
    return UnionSpec(code, name, name.removeprefix("省"), "", industry, True, trades=trades)


# The other 28 of the 35 unions: invented, marked 示例 in the name and with is_sample.
SAMPLE_UNIONS = (
    _industry_union("U08", "省能源化学地质工会", Industry.B, "煤业有限公司", "化工有限公司", "地质勘查院"),
    _industry_union("U09", "省机械冶金建材工会", Industry.C, "机械有限公司", "冶金有限公司", "建材有限公司"),
    _industry_union("U10", "省财贸轻纺烟草工会", Industry.F, "商贸有限公司", "纺织有限公司", "卷烟配套有限公司"),
    _industry_union("U11", "省建设工会", Industry.E, "建筑工程有限公司", "市政工程有限公司", "安装工程有限公司"),
    _industry_union("U12", "省交通运输工会", Industry.G, "客运有限公司", "货运有限公司", "公路养护有限公司"),
    _industry_union("U13", "省农林水利气象工会", Industry.A, "林业有限公司", "水利工程有限公司", "农业科技有限公司"),
    _industry_union("U14", "省国防邮电工会", Industry.I, "通信有限公司", "邮政物流有限公司", "电子有限公司"),
    _industry_union("U15", "省教科文卫体工会", Industry.P, "职业技术学院", "工业技术研究院", "技工学校"),
    _industry_union("U16", "省金融工会", Industry.J, "农村商业银行", "保险有限公司", "融资担保有限公司"),
    UnionSpec("U17", "云南彩云能源集团", "彩云能源", P, Industry.D, True, stem="彩云能源"),
    UnionSpec("U18", "云南滇中矿业集团", "滇中矿业", P, Industry.B, True, stem="滇中矿业"),
    UnionSpec("U19", "云南高原装备制造集团", "高原装备", P, Industry.C, True, stem="高原装备"),
    UnionSpec("U20", "云南云岭建材集团", "云岭建材", P, Industry.C, True, stem="云岭建材"),
    UnionSpec("U21", "云南金江水电开发集团", "金江水电", P, Industry.D, True, stem="金江水电"),
    UnionSpec("U22", "云南茶业发展集团", "茶业发展", P, Industry.A, True, stem="茶业发展"),
    UnionSpec("U23", "云南花卉产业集团", "花卉产业", P, Industry.A, True, stem="花卉产业"),
    UnionSpec("U24", "云南生物医药集团", "生物医药", P, Industry.C, True, stem="生物医药"),
    UnionSpec("U25", "云南滇西物流集团", "滇西物流", P, Industry.G, True, stem="滇西物流"),
    UnionSpec("U26", "云南沿边商贸集团", "沿边商贸", P, Industry.F, True, stem="沿边商贸"),
    UnionSpec("U27", "云南数字产业集团", "数字产业", P, Industry.I, True, stem="数字产业"),
    UnionSpec("U28", "云南文旅康养集团", "文旅康养", P, Industry.R, True, stem="文旅康养"),
    UnionSpec("U29", "云南有色冶金集团", "有色冶金", P, Industry.C, True, stem="有色冶金"),
    UnionSpec("U30", "云南精细化工集团", "精细化工", P, Industry.C, True, stem="精细化工"),
    UnionSpec("U31", "云南城乡建设集团", "城乡建设", P, Industry.E, True, stem="城乡建设"),
    UnionSpec("U32", "中国华西电力云南分公司", "华西电力", C, Industry.D, True, stem="华西电力"),
    UnionSpec("U33", "中国西部矿业云南分公司", "西部矿业", C, Industry.B, True, stem="西部矿业"),
    UnionSpec("U34", "中国西南航空物流云南公司", "西南航空物流", C, Industry.G, True, stem="西南航空物流"),
    UnionSpec("U35", "中国信联通信云南公司", "信联通信", C, Industry.I, True, stem="信联通信"),
)  # fmt: skip

# Leading-group member departments: the four in the speech, then two sample ones.
DEPARTMENTS = (
    ("D01", "云南省工业和信息化厅", "省工业和信息化厅", False),
    ("D02", "云南省教育厅", "省教育厅", False),
    ("D03", "云南省人力资源和社会保障厅", "省人力资源社会保障厅", False),
    ("D04", "云南省人民政府国有资产监督管理委员会", "省国资委", False),
    ("D05", "云南省发展和改革委员会", "省发展改革委", True),
    ("D06", "云南省财政厅", "省财政厅", True),
)

# Fixed codes of demo enterprises other parts of the demo refer to.
KUNMING_POWER = "E001"  # 昆明供电局 (named in the speech)
MOVED_CODE = "E900"  # moved between unions on MOVED_ON
MOVED_FROM, MOVED_TO, MOVED_ON = "U18", "U25", dt.date(2020, 7, 1)
CLOSED_CODE = "E901"  # closed on CLOSED_ON
CLOSED_UNDER, CLOSED_ON = "U09", dt.date(2021, 6, 30)

UNIT_WORDS = ("第一车间", "检修工区", "项目部", "生产班组", "运维中心", "职工驿站")
INDUSTRY_OWNERSHIPS = (Ownership.PREFECTURAL, Ownership.PRIVATE, Ownership.PROVINCIAL, Ownership.COLLECTIVE)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    org: str  # organisation code


# One account per role, then information officers and liaisons in a few other enterprises
# (the others have none, so the home pages show real gaps). The office's roles are held at
# the office; they cover the whole province (orgs/roles.py).
ACCOUNTS = (
    DemoAccount("office_admin", "张建华", Role.OFFICE_ADMIN, OFFICE_CODE),
    DemoAccount("office_reviewer", "李文静", Role.OFFICE_REVIEWER, OFFICE_CODE),
    DemoAccount("union_admin", "王志强", Role.UNION_ADMIN, "U01"),
    DemoAccount("reporter", "赵丽萍", Role.REPORTER, KUNMING_POWER),
    DemoAccount("info_officer", "刘洋", Role.INFO_OFFICER, KUNMING_POWER),
    DemoAccount("liaison", "陈晓燕", Role.LIAISON, KUNMING_POWER),
    DemoAccount("guidance", "杨国平", Role.GUIDANCE, KUNMING_POWER),
    DemoAccount("dept_viewer", "周海涛", Role.DEPT_VIEWER, "D04"),
    DemoAccount("leader", "吴建国", Role.LEADER, PROVINCE_CODE),
    DemoAccount("sys_admin", "孙磊", Role.SYS_ADMIN, PROVINCE_CODE),
    DemoAccount("sec_admin", "马俊", Role.SEC_ADMIN, PROVINCE_CODE),
    DemoAccount("audit_admin", "朱丽", Role.AUDIT_ADMIN, PROVINCE_CODE),
    DemoAccount("info_officer_2", "黄伟", Role.INFO_OFFICER, "E002"),  # 曲靖供电局
    DemoAccount("liaison_2", "何敏", Role.LIAISON, "E005"),  # 云南铜业股份有限公司
    DemoAccount("info_officer_3", "罗军", Role.INFO_OFFICER, "E008"),  # 云南云天化股份有限公司
    DemoAccount("info_officer_4", "郭婷", Role.INFO_OFFICER, "E015"),  # 云南建投第一建设有限公司
    DemoAccount("liaison_3", "林峰", Role.LIAISON, "E018"),  # 昆明机务段
    DemoAccount("liaison_4", "段云", Role.LIAISON, "E022"),  # 云南交投公路建设有限公司
)


def _credit_code(region: str, seq: int) -> str:
    """A well-formed unified social credit code (GB 32100) for an invented enterprise."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "MA" + "".join(alphabet[(seq * 7 + i * 13) % len(alphabet)] for i in range(7))
    first17 = f"91{region}{body}"
    return first17 + credit_code_check_char(first17)


def _opened(seq: int) -> dt.date:
    return dt.date(1990 + (seq * 7) % 30, 1 + seq % 12, 1)


def _units(parent: OrgSpec, count: int, *, sample: bool) -> list[OrgSpec]:
    prefix = parent.short_name or parent.name.removesuffix("股份有限公司").removesuffix("有限公司")
    return [
        OrgSpec(
            f"{parent.code}-{k:02d}",
            f"{prefix}{UNIT_WORDS[(int(parent.code[1:]) + k) % len(UNIT_WORDS)]}",
            OrgKind.UNIT,
            parent.code,
            ownership=parent.ownership,
            industry=parent.industry,
            region=parent.region,
            is_sample=sample,
        )
        for k in range(1, count + 1)
    ]


def _unit_count(seq: int) -> int:
    return 2 if seq % 6 == 0 else 1 if seq % 3 == 0 else 0


def _union_enterprises(union: UnionSpec, index: int, seq: int) -> list[OrgSpec]:
    """The union's enterprises (2–5) and some units under them; `seq` numbers the enterprises."""
    specs: list[OrgSpec] = []
    if union.enterprises:
        entries = [(name, region, short) for name, region, short in union.enterprises]
    else:
        count = 2 + (index * 3) % 4
        entries = []
        for k in range(count):
            region = PREFECTURE_CODES[(index * 5 + k * 3) % len(PREFECTURE_CODES)]
            place = PLACES[region]
            if union.stem:
                name = f"{union.stem}{place}{('有限公司', '分公司', '股份有限公司')[k % 3]}"
            else:
                name = f"{place}{union.trades[k % len(union.trades)]}"
            entries.append((name, region, ""))
    for name, region, short in entries:
        seq += 1
        code = f"E{seq:03d}"
        # Only what the speech names is real; the rest is sample, however real it sounds.
        real = code == KUNMING_POWER
        ownership = union.ownership or INDUSTRY_OWNERSHIPS[seq % len(INDUSTRY_OWNERSHIPS)]
        enterprise = OrgSpec(
            code,
            name,
            OrgKind.ENTERPRISE,
            union.code,
            short_name=short,
            ownership=ownership,
            industry=union.industry,
            region=region,
            credit_code=_credit_code(region, seq) if union.sample and seq % 3 == 1 else "",
            opened_on=_opened(seq) if union.sample else None,
            is_sample=not real,
        )
        specs.append(enterprise)
        if real:
            specs.append(
                OrgSpec(
                    f"{code}-01", "昆明供电局修试所", OrgKind.UNIT, code, short_name="修试所",
                    ownership=ownership, industry=union.industry, region=region,
                )
            )  # fmt: skip
        else:
            specs.extend(_units(enterprise, _unit_count(seq), sample=True))
    return specs


def demo_orgs(prefecture_names: dict[str, str]) -> list[OrgSpec]:
    """Every demo organisation, each after its parent; deterministic.

    `prefecture_names` maps the 16 GB/T 2260 codes to their names (from the Region table).
    """
    province = OrgSpec(PROVINCE_CODE, "云南省", OrgKind.PROVINCE, None, region=PROVINCE_CODE)
    specs = [
        province,
        OrgSpec(CAT_PREFECTURES, "州市", OrgKind.CATEGORY, PROVINCE_CODE, region=PROVINCE_CODE),
        OrgSpec(CAT_UNIONS, "省级产业系统公司", OrgKind.CATEGORY, PROVINCE_CODE, region=PROVINCE_CODE),
        OrgSpec(CAT_DEPARTMENTS, "领导小组成员单位", OrgKind.CATEGORY, PROVINCE_CODE, region=PROVINCE_CODE),
        OrgSpec(
            OFFICE_CODE, "云南省总工会产业工人队伍建设改革协调领导小组办公室", OrgKind.OFFICE, PROVINCE_CODE,
            short_name="产改办", region=PROVINCE_CODE, ownership=Ownership.PUBLIC_INSTITUTION, industry=Industry.S,
            notes="设在云南省总工会。",
        ),
    ]  # fmt: skip
    for code in PREFECTURE_CODES:
        region_name = prefecture_names[code]
        specs.append(
            OrgSpec(
                code, f"{region_name}总工会", OrgKind.PREFECTURE, CAT_PREFECTURES,
                short_name=region_name, region=code, industry=Industry.S,
            )
        )  # fmt: skip
    for code, name, short, sample in DEPARTMENTS:
        specs.append(
            OrgSpec(
                code, name, OrgKind.DEPARTMENT, CAT_DEPARTMENTS, short_name=short, region=PROVINCE_CODE,
                industry=Industry.S, is_sample=sample,
                notes="示例：列入领导小组成员单位仅为演示。" if sample else "",
            )
        )  # fmt: skip
    seq = 0
    enterprises: list[OrgSpec] = []
    for index, union in enumerate(REAL_UNIONS + SAMPLE_UNIONS):
        specs.append(
            OrgSpec(
                union.code,
                union.name + (SAMPLE_MARK if union.sample else ""),
                OrgKind.UNION,
                CAT_UNIONS,
                short_name=union.short_name + (SAMPLE_MARK if union.sample else ""),
                ownership=union.ownership,
                industry=union.industry,
                region="530100",
                is_sample=union.sample,
            )
        )
        batch = _union_enterprises(union, index, seq)
        seq += sum(1 for s in batch if s.kind == OrgKind.ENTERPRISE)
        enterprises.extend(batch)
        if union.code == "U01":
            enterprises.append(
                OrgSpec(
                    "U01-01", "云南电网公司昆明培训基地", OrgKind.UNIT, "U01", short_name="昆明培训基地",
                    ownership=C, industry=Industry.D, region="530100",
                )
            )  # fmt: skip
    specs.extend(enterprises)
    specs.append(
        OrgSpec(
            MOVED_CODE, "滇中矿业物流有限公司", OrgKind.ENTERPRISE, MOVED_TO, ownership=P, industry=Industry.G,
            region="530100", opened_on=dt.date(2016, 5, 1), is_sample=True,
            credit_code=_credit_code("530100", 900),
            notes="示例：2020年7月1日由滇中矿业集团划转至滇西物流集团。",
            history=((MOVED_FROM, EPOCH, MOVED_ON),),
        )
    )  # fmt: skip
    specs.append(
        OrgSpec(
            CLOSED_CODE, "曲靖示例机械厂", OrgKind.ENTERPRISE, CLOSED_UNDER, ownership=Ownership.COLLECTIVE,
            industry=Industry.C, region="530300", opened_on=dt.date(2012, 3, 1), closed_on=CLOSED_ON,
            is_sample=True, notes="示例：2021年6月30日撤销，历史数据保留。",
        )
    )  # fmt: skip
    return specs


def demo_assignments() -> list[tuple[str, str]]:
    """挂钩帮带 as (department code, enterprise or union code)."""
    provincial = [u.code for u in REAL_UNIONS + SAMPLE_UNIONS if u.ownership == Ownership.PROVINCIAL]
    return (
        [("D04", code) for code in provincial]  # 省国资委: the provincial state enterprises
        + [("D01", code) for code in ("U02", "E006", "E008", "U19", "U27")]  # 工信厅: industry
        + [("D02", code) for code in ("U01-01", "E015", "E018", "U15")]  # 教育厅: training, schools
        + [("D03", code) for code in (KUNMING_POWER, "U05", "U06", "E016")]  # 人社厅: skills, migrant workers
    )


@dataclass
class DemoResult:
    """What one load did: rows created, rows found already there, and anything skipped."""

    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    passwords_reset: int = 0
    warnings: list[str] = field(default_factory=list)


def _prefecture_names() -> dict[str, str]:
    names = dict(Region.objects.filter(code__in=PREFECTURE_CODES).values_list("code", "name"))
    missing = sorted(set(PREFECTURE_CODES) - set(names))
    if missing:
        raise UserError(_("行政区划表缺少以下代码：%(codes)s，请先运行 migrate。") % {"codes": "、".join(missing)})
    return names


def _next_step(parent_path: str | None, depth: int) -> int:
    """The first free step under a parent already in the database (or among the roots)."""
    qs = Organisation.objects.filter(depth=depth)
    if parent_path:
        qs = qs.filter(within("path", [parent_path]))
    last = qs.order_by("-path").values_list("path", flat=True).first()
    return Organisation._str2int(last[-Organisation.steplen :]) + 1 if last else 1


def _links_for(spec: OrgSpec, org_id: int, ids: dict[str, int]) -> list[OrgLink]:
    start = max(spec.opened_on or EPOCH, EPOCH)
    links = []
    for parent_code, valid_from, valid_to in spec.history:
        links.append(OrgLink(org_id=org_id, parent_id=ids[parent_code], valid_from=valid_from, valid_to=valid_to))
        start = valid_to
    parent_id = ids[spec.parent] if spec.parent else None
    links.append(OrgLink(org_id=org_id, parent_id=parent_id, valid_from=start, valid_to=spec.closed_on))
    return links


def _load_orgs(specs: list[OrgSpec], result: DemoResult) -> dict[str, Organisation]:
    """Create the missing organisations (paths, numchild, links, pinyin); return all by code."""
    existing = {o.code: o for o in Organisation.objects.filter(code__in=[s.code for s in specs])}
    result.kept["organisations"] = len(existing)
    placed: dict[str, tuple[str, int]] = {code: (o.path, o.depth) for code, o in existing.items()}
    steps: dict[str, int] = {}  # next free step per parent code ("" for the roots)
    new_children: Counter = Counter()
    new_orgs: list[Organisation] = []
    new_specs: list[OrgSpec] = []
    for spec in specs:
        if spec.code in existing:
            continue
        parent_key = spec.parent or ""
        if spec.parent is not None:
            if spec.parent not in placed:
                result.warnings.append(_("未创建“%(name)s”：上级机构不存在。") % {"name": spec.name})
                continue
            parent = existing.get(spec.parent)
            if parent is not None and parent.is_closed:
                result.warnings.append(
                    _("未创建“%(name)s”：上级机构“%(parent)s”已撤销。") % {"name": spec.name, "parent": parent.name}
                )
                continue
            parent_path, parent_depth = placed[spec.parent]
        else:
            parent_path, parent_depth = "", 0
        if parent_key not in steps:
            steps[parent_key] = (
                1 if parent_key and parent_key not in existing else _next_step(parent_path, parent_depth + 1)
            )
        depth = parent_depth + 1
        path = Organisation._get_path(parent_path, depth, steps[parent_key])
        steps[parent_key] += 1
        placed[spec.code] = (path, depth)
        new_children[spec.parent] += 1
        org = Organisation(
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            pinyin_initials=initials(spec.name),
            kind=spec.kind,
            ownership=spec.ownership,
            industry=spec.industry,
            region_id=spec.region or None,
            credit_code=spec.credit_code,
            opened_on=spec.opened_on,
            closed_on=spec.closed_on,
            is_sample=spec.is_sample,
            notes=spec.notes,
            path=path,
            depth=depth,
            numchild=0,
        )
        # Codes are checked above and constraints by the database on insert.
        org.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False, validate_constraints=False)
        new_orgs.append(org)
        new_specs.append(spec)
    for org in new_orgs:
        org.numchild = new_children[org.code]
    Organisation.objects.bulk_create(new_orgs, batch_size=500)
    for code, count in new_children.items():
        if code in existing:
            Organisation.objects.filter(pk=existing[code].pk).update(numchild=F("numchild") + count)
    result.created["organisations"] = len(new_orgs)

    by_code = {o.code: o for o in Organisation.objects.filter(code__in=[s.code for s in specs])}
    ids = {code: o.pk for code, o in by_code.items()}
    links = [link for spec in new_specs for link in _links_for(spec, ids[spec.code], ids)]
    OrgLink.objects.bulk_create(links, batch_size=500)
    result.created["links"] = len(links)
    return by_code


def demo_phone(username: str) -> str:
    """A made-up mobile number for a demo account, the same on every load (so the deadline board has contacts)."""
    import zlib

    return f"1388{zlib.crc32(username.encode()) % 10_000_000:07d}"


def _load_accounts(orgs: dict[str, Organisation], result: DemoResult, *, reset_passwords: bool) -> None:
    User = get_user_model()
    hashed = ""  # Argon2 is slow on purpose: hash the shared demo password once per load

    def demo_hash() -> str:
        nonlocal hashed
        hashed = hashed or make_password(DEMO_PASSWORD)
        return hashed

    now = timezone.now()
    for account in ACCOUNTS:
        user = User.objects.filter(username__iexact=account.username).first()
        if user is None:
            user = User.objects.create(
                username=account.username,
                full_name=account.full_name,
                phone=demo_phone(account.username),
                password=demo_hash(),
                password_changed_at=now,
                must_change_password=False,
                is_demo=True,
            )
            result.created["users"] += 1
        elif not user.is_demo:
            result.warnings.append(_("已有同名的正式账号“%(username)s”，未作改动。") % {"username": account.username})
            continue
        else:
            result.kept["users"] += 1
            if reset_passwords:
                User.objects.filter(pk=user.pk).update(
                    password=demo_hash(), password_changed_at=now, must_change_password=False
                )
                result.passwords_reset += 1
        org = orgs.get(account.org)
        if org is None:
            continue
        if Membership.objects.filter(user=user, org=org, role=account.role).exists():
            result.kept["memberships"] += 1
            continue
        try:
            services.membership_grant(by=SYSTEM, user=user, org=org, role=account.role)
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{account.username}：{error}")
        else:
            result.created["memberships"] += 1


def _load_assignments(orgs: dict[str, Organisation], result: DemoResult) -> None:
    for department_code, enterprise_code in demo_assignments():
        department, enterprise = orgs.get(department_code), orgs.get(enterprise_code)
        if department is None or enterprise is None:
            continue
        if Assignment.objects.filter(department=department, enterprise=enterprise).exists():
            result.kept["assignments"] += 1
            continue
        try:
            services.assignment_create(
                by=SYSTEM, department=department, enterprise=enterprise, valid_from=ASSIGNED_FROM
            )
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{department.display_name} → {enterprise.display_name}：{error}")
        else:
            result.created["assignments"] += 1


@transaction.atomic
def load_demo(*, reset_passwords: bool = False) -> DemoResult:
    """Create whatever of the demo province is missing; keep what is there. Writes one `demo.load` audit row."""
    result = DemoResult()
    specs = demo_orgs(_prefecture_names())
    orgs = _load_orgs(specs, result)
    _load_assignments(orgs, result)
    _load_accounts(orgs, result, reset_passwords=reset_passwords)
    audit.record(
        SYSTEM,
        "demo.load",
        object_type="orgs.organisation",
        object_repr=_("演示省份"),
        detail={
            "created": dict(result.created),
            "kept": dict(result.kept),
            "passwords_reset": result.passwords_reset,
            "warnings": result.warnings,
        },
    )
    return result
