"""Test data for reporting: the real workforce data sets, a small hand-built one, and valid values."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps

from core.actor import Actor
from orgs.choices import OrgKind, Role
from orgs.tests.factories import SYSTEM, Tree
from reporting import services
from reporting.migrations._workforce import load
from reporting.models import DataSet, Report
from reporting.periods import period_from_code

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(
    year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0, micro: int = 0
) -> dt.datetime:
    """An aware time in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=SHANGHAI)


def load_workforce() -> tuple[DataSet, DataSet]:
    """WF_Y and WF_Q as the data migration defines them (re-run: a flush may have removed them)."""
    if DataSet.objects.filter(code__in=["WF_Y", "WF_Q"]).count() != 2:
        load(django_apps)
    return DataSet.objects.get(code="WF_Y"), DataSet.objects.get(code="WF_Q")


def office_user(tree: Tree):
    """An office administrator whose role covers the whole province."""
    return tree.user(Role.OFFICE_ADMIN, tree.province)


def as_actor(user) -> Actor:
    return Actor(user=user)


WORKERS_GROUP = {"MIGRANT.MALE": 300, "MIGRANT.FEMALE": 100, "NONMIGRANT.MALE": 400, "NONMIGRANT.FEMALE": 200}
CERT_BY_LEVEL = {
    "APPRENTICE": 10,
    "JUNIOR": 60,
    "INTERMEDIATE": 100,
    "SENIOR": 70,
    "TECHNICIAN": 40,
    "SENIOR_TECHNICIAN": 15,
    "SPECIAL_TECHNICIAN": 3,
    "CHIEF_TECHNICIAN": 2,
}
EDU_BY_LEVEL = {"POSTGRADUATE": 20, "BACHELOR": 120, "COLLEGE": 160, "SECONDARY": 200, "JUNIOR_OR_BELOW": 100}
STUDIOS = {"NATIONAL": 1, "PROVINCIAL": 2, "PREFECTURAL": 3, "ENTERPRISE": 5}
SINGLE_Y = {
    "WF_WORKERS": "1000",
    "WF_FRONTLINE": "700",
    "WF_TECH_STAFF": "120",
    "WF_NEW_FRONTLINE_HIRES": "50",
    "WF_UNION_MEMBERS": "950",
    "WF_NEF_WORKERS": "40",
    "WF_NEF_MEMBERS": "30",
    "WF_CERTIFIED": "300",
    "WF_EDU_FUND_EXTRACTED": "150000",
    "WF_EDU_FUND_SPENT": "140000",
    "WF_EDU_FUND_FRONTLINE": "100000",
    "WF_PAYROLL": "8000000",
    "WF_TRAINING_PERSON_TIMES": "1500",
    "WF_TRAINING_HOURS": "12000",
    "WF_SELF_EVAL_FILED": "是",
    "WF_SELF_EVAL_PERSONS": "80",
    "WF_NEW_PARTY_MEMBERS": "12",
    "WF_TALK_SESSIONS": "20",
    "WF_TALK_SPEAKERS": "8",
    "WF_TALK_AUDIENCE": "2000",
    "WF_COMP_HELD": "5",
    "WF_COMP_PARTICIPANTS": "300",
    "WF_COMP_TRADES": "12",
    "WF_STUDIO_RESULTS": "40",
    "WF_STUDIO_PATENTS": "6",
    "WF_STUDIO_VALUE": "2500000",
    "WF_WUXIAO_RESULTS": "30",
    "WF_WUXIAO_PARTICIPANTS": "200",
    "WF_SUGGEST_SUBMITTED": "150",
    "WF_SUGGEST_ADOPTED": "90",
    "WF_SUGGEST_VALUE": "800000",
    "WF_REPS_TOTAL": "6",
    "WF_REPS_FRONTLINE": "3",
    "WF_CONGRESS": "是",
    "WF_CONGRESS_DELEGATES": "100",
    "WF_CONGRESS_FRONTLINE": "60",
    "WF_CONTRACT_COVERED": "980",
    "WF_AWARDEES": "10",
    "WF_AWARDEES_WORKERS": "7",
}


def valid_values_y() -> dict[tuple[str, str], str]:
    """A complete WF_Y filling that passes every rule, errors and warnings alike."""
    values = {(code, ""): text for code, text in SINGLE_Y.items()}
    for code, cells in (
        ("WF_WORKERS_GROUP", WORKERS_GROUP),
        ("WF_CERT_BY_LEVEL", CERT_BY_LEVEL),
        ("WF_EDU_BY_LEVEL", EDU_BY_LEVEL),
        ("WF_STUDIOS", STUDIOS),
    ):
        values.update({(code, key): str(number) for key, number in cells.items()})
    return values


def valid_values_q() -> dict[tuple[str, str], str]:
    values = {
        (code, ""): SINGLE_Y[code]
        for code in (
            "WF_WORKERS",
            "WF_NEW_PARTY_MEMBERS",
            "WF_COMP_HELD",
            "WF_COMP_PARTICIPANTS",
            "WF_SUGGEST_SUBMITTED",
            "WF_SUGGEST_ADOPTED",
            "WF_TRAINING_PERSON_TIMES",
            "WF_NEW_FRONTLINE_HIRES",
            "WF_UNION_MEMBERS",
        )
    }
    values.update({("WF_WORKERS_GROUP", key): str(number) for key, number in WORKERS_GROUP.items()})
    return values


def open_report(tree: Tree, dataset: DataSet, code: str, org=None, by=None) -> Report:
    """The report of `org` (default: enterprise A1) for period `code`, opened as the system."""
    return services.report_open(by=by or SYSTEM, org=org or tree.ent_a1, dataset=dataset, period=period_from_code(code))


def filled_report(tree: Tree, dataset: DataSet, code: str = "2021", org=None) -> Report:
    """A complete, valid report still in draft."""
    report = open_report(tree, dataset, code, org)
    values = valid_values_y() if dataset.code == "WF_Y" else valid_values_q()
    return services.values_save(by=SYSTEM, report=report, version=report.version, values=values).report


def submitted_report(tree: Tree, dataset: DataSet, code: str = "2021", org=None) -> Report:
    report = filled_report(tree, dataset, code, org)
    reporter = tree.user(Role.REPORTER, report.org)
    return services.report_submit(by=as_actor(reporter), report=report, version=report.version)


def small_dataset(by: Actor | None = None, *, code: str = "T_Y", publish: bool = True) -> DataSet:
    """A small yearly data set built through the services: a total, its migrant split, a certified count."""
    by = by or SYSTEM
    migrant = services.category_create(
        by=by, code=f"{code}_MIG", name="农民工身份", options=[("MIG", "农民工"), ("NON", "非农民工")]
    )
    combo = services.category_combo_create(by=by, code=f"{code}_MIG", name="农民工身份", categories=[migrant])
    total = services.data_element_create(by=by, code=f"{code}_TOTAL", name="职工总数", value_type="integer", unit="人")
    split = services.data_element_create(
        by=by, code=f"{code}_SPLIT", name="职工构成", value_type="integer", unit="人", category_combo=combo
    )
    cert = services.data_element_create(by=by, code=f"{code}_CERT", name="持证人数", value_type="integer", unit="人")
    dataset = services.dataset_create(
        by=by,
        code=code,
        name="测试年报",
        period_type="year",
        assigned_kinds=[OrgKind.ENTERPRISE],
        deadline_days=31,
        grace_days=10,
    )
    draft = dataset.draft_version()
    section = services.section_create(by=by, dataset_version=draft, code="BASIC", name="基本情况")
    services.section_element_add(by=by, section=section, element=total)
    services.section_element_add(by=by, section=section, element=split)
    services.section_element_add(by=by, section=section, element=cert, required=False)
    services.total_relation_add(by=by, dataset_version=draft, total_element=total, parts_element=split)
    services.rule_create(
        by=by,
        dataset_version=draft,
        code="R_CERT",
        name="持证不超过非农民工",
        left=f"#{{{code}_CERT}}",
        operator="<=",
        right=f"#{{{code}_SPLIT.NON}}",
        importance="error",
        message="持证人数不能大于非农民工人数",
    )
    if publish:
        services.dataset_version_publish(by=by, dataset_version=draft)
    return dataset
