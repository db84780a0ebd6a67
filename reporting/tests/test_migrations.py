"""The workforce data sets defined as data (reporting/migrations/_workforce.py)."""

from decimal import Decimal

from django.apps import apps as django_apps

from reporting import queries
from reporting.choices import MigrantScope
from reporting.expressions import evaluate, parse, sum_matching
from reporting.migrations._workforce import load
from reporting.models import DataElement, DataSet, DataSetVersion, ValidationRule


def test_loading_twice_changes_nothing(wf):
    counts = (DataElement.objects.count(), DataSetVersion.objects.count(), ValidationRule.objects.count())

    load(django_apps)

    assert (DataElement.objects.count(), DataSetVersion.objects.count(), ValidationRule.objects.count()) == counts


def test_yearly_and_quarterly_forms(wf):
    wf_y, wf_q = wf
    year, quarter = queries.version_layout(wf_y.current_version()), queries.version_layout(wf_q.current_version())

    assert (wf_y.period_type, wf_y.deadline_days, wf_y.grace_days, wf_y.assigned_kinds) == (
        "year",
        31,
        10,
        ["enterprise"],
    )
    assert (wf_q.period_type, wf_q.deadline_days, wf_q.grace_days) == ("quarter", 15, 10)
    assert [s.name for s in year.sections] == [
        "基本情况",
        "思想引领",
        "建功立业",
        "素质提升",
        "地位提高",
        "队伍壮大",
        "其他",
    ]
    assert {se.element.code for se in quarter.section_elements} < {se.element.code for se in year.section_elements}
    assert len(year.cells) == 61


def test_generated_sum_rules(wf):
    generated = ValidationRule.objects.filter(dataset_version=wf[0].current_version(), is_generated=True)

    assert sorted((r.left, r.right) for r in generated) == [
        ("#{WF_CERTIFIED}", "#{WF_CERT_BY_LEVEL}"),
        ("#{WF_WORKERS_GROUP.NONMIGRANT}", "#{WF_EDU_BY_LEVEL}"),
        ("#{WF_WORKERS}", "#{WF_WORKERS_GROUP}"),
    ]


def test_every_element_carries_its_scope(wf):
    scopes = dict(DataElement.objects.filter(code__startswith="WF_").values_list("code", "migrant_scope"))

    assert scopes["WF_WORKERS"] == MigrantScope.INCLUDED
    assert scopes["WF_CERTIFIED"] == scopes["WF_EDU_BY_LEVEL"] == scopes["WF_CERT_BY_LEVEL"] == MigrantScope.EXCLUDED
    assert all(DataElement.objects.get(code=c).source == "企业填报" for c in scopes)


def test_derived_figures_need_no_input(tree, wf):
    from reporting.tests.factories import filled_report

    values = queries.value_map(queries.report_values(filled_report(tree, wf[0])))

    def run(text):
        return evaluate(parse(text), lambda ref: sum_matching(values, ref))

    high_skilled = run(
        "#{WF_CERT_BY_LEVEL.SENIOR} + #{WF_CERT_BY_LEVEL.TECHNICIAN} + #{WF_CERT_BY_LEVEL.SENIOR_TECHNICIAN}"
        " + #{WF_CERT_BY_LEVEL.SPECIAL_TECHNICIAN} + #{WF_CERT_BY_LEVEL.CHIEF_TECHNICIAN}"
    )
    college = run("#{WF_EDU_BY_LEVEL.POSTGRADUATE} + #{WF_EDU_BY_LEVEL.BACHELOR} + #{WF_EDU_BY_LEVEL.COLLEGE}")
    certified_rate = run("#{WF_CERTIFIED} / #{WF_WORKERS_GROUP.NONMIGRANT} * 100")

    assert (high_skilled, college, certified_rate) == (Decimal(130), Decimal(300), Decimal(50))


def test_data_sets_have_exactly_one_published_version(wf):
    for dataset in DataSet.objects.filter(code__in=["WF_Y", "WF_Q"]):
        assert list(dataset.versions.values_list("number", flat=True)) == [1]
        assert dataset.current_version().is_published
