"""Test data for assessment: a small issued framework over the shipped indicators, built through the services."""

from __future__ import annotations

from decimal import Decimal as D

from analytics.models import Indicator
from assessment import services
from assessment.choices import Area, CriterionKind, Grade
from core.actor import Actor

RUBRIC = [
    {"code": "A", "label": "好", "share": "1", "description": "方案印发、机构健全、工作有成效"},
    {"code": "B", "label": "较好", "share": "0.8", "description": "方案印发，工作有推进"},
    {"code": "C", "label": "一般", "share": "0.6", "description": "有安排，推进较慢"},
    {"code": "D", "label": "差", "share": "0", "description": "未开展"},
]


def make_framework(office_user, *, year: int = 2021, combine: str = "mean", issue: bool = True):
    """Skills 40 (certification rate vs 20% target, college rate rank), organisation 60 (report on time 20,
    leading group rated 40), a bonus, a deduction per late report and a veto."""
    by = Actor(user=office_user)
    framework = services.framework_create(by=by, year=year, name=f"{year}年度量化考核办法")
    skills = services.dimension_save(
        by=by, framework=framework, code="SKILLS", name="素质提升", area=Area.SKILLS, points=D(40), sort_order=1
    )
    work = services.dimension_save(
        by=by, framework=framework, code="ORG", name="改革组织推进", area=Area.ORGANISATION, points=D(60), sort_order=2
    )
    cert = Indicator.objects.get(code="CERT_RATE")
    college = Indicator.objects.get(code="COLLEGE_RATE")
    services.criterion_save(
        by=by,
        dimension=skills,
        code="CERT",
        name="持证率达标",
        kind=CriterionKind.INDICATOR_TARGET,
        points=D(20),
        indicator=cert,
        target=D(20),
        floor=D("0.6"),
        cap=D(1),
        sort_order=1,
    )
    services.criterion_save(
        by=by,
        dimension=skills,
        code="COLLEGE",
        name="大专率排名",
        kind=CriterionKind.INDICATOR_RANK,
        points=D(20),
        indicator=college,
        floor=D(0),
        cap=D(1),
        sort_order=2,
    )
    services.criterion_save(
        by=by,
        dimension=work,
        code="ONTIME",
        name="年报按时报送",
        kind=CriterionKind.FACT,
        points=D(20),
        fact="reports_on_time",
        sort_order=1,
    )
    services.criterion_save(
        by=by,
        dimension=work,
        code="GROUP",
        name="领导小组和工作机制",
        kind=CriterionKind.QUALITATIVE,
        points=D(40),
        levels=RUBRIC,
        combine=combine,
        sort_order=2,
    )
    services.criterion_save(
        by=by,
        dimension=work,
        code="BONUS",
        name="加分项",
        kind=CriterionKind.BONUS,
        points=D(5),
        items=[{"code": "HONOUR", "label": "获全国荣誉", "points": 3}],
        sort_order=3,
    )
    services.criterion_save(
        by=by,
        dimension=work,
        code="LATE",
        name="扣分项",
        kind=CriterionKind.DEDUCTION,
        points=D(5),
        items=[{"code": "LATE", "label": "逾期报送", "points": 1, "fact": "reports_late"}],
        sort_order=4,
    )
    services.criterion_save(
        by=by,
        dimension=work,
        code="VETO",
        name="一票否决",
        kind=CriterionKind.VETO,
        points=D(0),
        grade_cap=Grade.PASS,
        sort_order=5,
    )
    if issue:
        framework.refresh_from_db()
        services.framework_issue(by=by, framework=framework, version=framework.version)
    framework.refresh_from_db()
    return framework
