"""The demo's people: who plays each report's part, creating one reporter per enterprise and one administrator per
union where none exists, with made-up names and mobile numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import UserError
from orgs import services as org_services
from orgs.choices import Role
from orgs.demo import DEMO_PASSWORD, demo_phone
from orgs.models import Membership, Organisation
from reporting.demo.figures import Enterprise, _rng

if TYPE_CHECKING:
    from reporting.demo.stories import DemoReportsResult

SYSTEM = Actor.system("demo")

# --- People ---------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁沈姚卢姜崔钟谭陆范金石廖贾夏韦方白邹孟熊秦邱江尹段雷侯龙史陶黎贺顾毛郝龚邵万严武戴孔向汤"
)
GIVEN = (
    "建华", "丽萍", "志强", "海燕", "国庆", "秀英", "晓东", "春梅", "永红", "文斌", "玉兰", "国强", "雪梅", "明辉",
    "桂芳", "红霞", "立新", "德华", "云飞", "庆华", "静", "磊", "娟", "涛", "敏", "勇", "艳", "军", "燕", "杰",
    "丽", "强", "平", "刚", "桂英", "建平", "丽娟", "卫东", "俊", "晓燕", "金凤", "家明", "春华", "兰英", "志刚",
)  # fmt: skip


def _person_name(code: str) -> str:
    r = _rng("name", code)
    return r.choice(SURNAMES) + r.choice(GIVEN)


@dataclass
class Cast:
    """Who plays each part: reporters by organisation id, union administrators by union id, the office."""

    reporters: dict[int, Any] = field(default_factory=dict)
    union_admins: dict[int, Any] = field(default_factory=dict)
    office_reviewer: Any = None
    office_admin: Any = None


def _demo_user(username: str, password: Callable[[], str], result: DemoReportsResult):
    """The demo account `username`, created when missing; None (with a warning) if a real account has the name."""
    User = get_user_model()
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        result.accounts_created += 1
        return User.objects.create(
            username=username,
            full_name=_person_name(username),
            phone=demo_phone(username),
            password=password(),
            password_changed_at=timezone.now(),
            must_change_password=False,
            is_demo=True,
        )
    if not user.is_demo:
        result.warnings.append(_("已有同名的正式账号“%(username)s”，未作改动。") % {"username": username})
        return None
    return user


def _holder(org: Organisation, role: str):
    membership = (
        Membership.objects.filter(org=org, role=role, is_active=True, user__is_active=True, user__is_demo=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def cast_for(enterprises: Sequence[Enterprise], result: DemoReportsResult, *, reset_passwords: bool = False) -> Cast:
    """The demo accounts that play the reports, creating one per enterprise and union where none exists yet."""
    hashed = ""

    def password() -> str:
        nonlocal hashed
        hashed = hashed or make_password(DEMO_PASSWORD)
        return hashed

    def ensure(org: Organisation, role: str, username: str):
        user = _holder(org, role)
        if user is not None:
            if reset_passwords and user.username == username:  # the accounts of orgs/demo.py are reset there
                type(user).objects.filter(pk=user.pk).update(
                    password=password(), password_changed_at=timezone.now(), must_change_password=False
                )
                result.passwords_reset += 1
            return user
        user = _demo_user(username, password, result)
        if user is None:
            return None
        try:
            org_services.membership_grant(by=SYSTEM, user=user, org=org, role=role)
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{username}：{error}")
            return None
        return user

    cast = Cast()
    User = get_user_model()
    cast.office_reviewer = User.objects.filter(username="office_reviewer", is_demo=True, is_active=True).first()
    cast.office_admin = User.objects.filter(username="office_admin", is_demo=True, is_active=True).first()
    for union in sorted({e.union.pk: e.union for e in enterprises if e.union}.values(), key=lambda o: o.path):
        cast.union_admins[union.pk] = ensure(union, Role.UNION_ADMIN, f"ua_{union.code.lower()}")
    for e in enterprises:
        if e.org.is_closed:
            # Nobody can hold a role in a closed enterprise: its union's reporter reports for it.
            if e.union is not None:
                cast.reporters[e.org.pk] = ensure(e.union, Role.REPORTER, f"rep_{e.union.code.lower()}")
        else:
            cast.reporters[e.org.pk] = ensure(e.org, Role.REPORTER, f"rep_{e.org.code.lower()}")
    return cast
