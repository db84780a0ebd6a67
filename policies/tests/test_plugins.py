"""What the policy library adds to the kernel: figures for analytics (政策使用率 as an indicator), assessment facts,
the ledger's timeline events, the menu, and the office's round on the home page."""

import datetime as dt
from decimal import Decimal

from core import registry
from core.actor import Actor
from orgs.choices import Role
from policies import services
from policies.tests.factories import office_actor, open_round

USED = {"used": True, "beneficiaries": "10", "amount": "1000"}
NOT_USED = {"used": False, "reason": "unaware"}


def _submit(tree, round_, org, answers):
    report = round_.reports.get(org=org)
    services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, org)), report=report, version=1, submit=True,
                         answers={mid: a for mid, a in answers.items()
                                  if report.lines.filter(measure_id=mid).exists()})  # fmt: skip
    return report


def _played(world):
    tree, m = world
    round_ = open_round(tree)
    _submit(tree, round_, tree.ent_a1, {m["large"].pk: USED, m["everyone"].pk: USED, m["kunming"].pk: NOT_USED})
    _submit(tree, round_, tree.ent_a2, {m["everyone"].pk: NOT_USED})
    return tree, m, round_


def test_use_rate_indicator_reads_the_sources(world):
    from analytics.engine.batch import subtree_values
    from analytics.engine.scope import Scope

    tree, _m, _round = _played(world)
    ids = [tree.ent_a1.pk, tree.ent_a2.pk, tree.ent_b1.pk, tree.union_a.pk]
    rates = subtree_values(Scope.province(), "indicator:POLICY_USE_RATE", "2021", ids)
    assert rates[tree.ent_a1.pk] == Decimal("66.67")
    assert rates[tree.ent_a2.pk] == Decimal("0.00")
    assert rates[tree.ent_b1.pk] is None  # nothing submitted: no data, not 0%
    assert rates[tree.union_a.pk] == Decimal("50.00")  # 2 used of 4 reported in the union's subtree


def test_facts_for_assessment(world, monkeypatch):
    from assessment.facts import FACTS
    from core import deadlines

    tree, _m, _round = _played(world)
    orgs = [
        (tree.ent_a1.pk, tree.ent_a1.path),
        (tree.ent_b1.pk, tree.ent_b1.path),
        (tree.union_a.pk, tree.union_a.path),
    ]
    rate = FACTS["policy_use_rate"].provider(2021, orgs)
    assert rate[tree.ent_a1.pk].share == Decimal(2) / Decimal(3)
    assert rate[tree.ent_b1.pk].share is None and "不适用" in rate[tree.ent_b1.pk].text
    assert rate[tree.union_a.pk].share == Decimal("0.5")
    from policies.models import UptakeReport

    # 昆明供电局 first submitted before the deadline; 曲靖供电局 (submitted now) late; 云南铜业股份 never.
    UptakeReport.objects.filter(org=tree.ent_a1).update(first_submitted_at=dt.datetime(2022, 3, 1, 2, tzinfo=dt.UTC))
    monkeypatch.setattr(deadlines, "today", lambda now=None: dt.date(2022, 6, 1))
    on_time = FACTS["policy_uptake_on_time"].provider(2021, orgs)
    assert on_time[tree.ent_a1.pk].share == 1
    assert on_time[tree.ent_b1.pk].share == 0 and "云南铜业股份" in on_time[tree.ent_b1.pk].text
    assert on_time[tree.union_a.pk].share == Decimal("0.5")


def test_timeline_events_and_office_round(world):
    from ledger import timeline

    tree, m, round_ = _played(world)
    notice = services.notice_send(by=office_actor(tree), measure=m["kunming"])
    services.notice_open(
        by=Actor(user=tree.user(Role.REPORTER, tree.ent_a1)), recipient=notice.recipients.get(org=tree.ent_a1)
    )
    events = {e.kind: e for e in timeline.events_of([tree.ent_a1.pk], today=dt.date(2099, 1, 1))}
    assert events["policy_uptake"].activity and events["policy_uptake"].title == "提交2021年度政策落实情况"
    assert not events["policy_notice"].activity and "昆明市技能人才住房保障" in events["policy_notice"].title
    office = tree.user(Role.OFFICE_ADMIN, tree.office)
    from policies.models import UptakeRound

    UptakeRound.objects.filter(pk=round_.pk).update(due_on=dt.date(2099, 3, 31))
    rounds = [r for r in registry.rounds_for(office) if r.title == "2021年度政策落实情况"]
    assert [(r.done, r.expected) for r in rounds] == [(2, 3)]
    assert not [r for r in registry.rounds_for(tree.user(Role.REPORTER, tree.ent_a1)) if "政策" in r.title]


def test_menu_entries_by_role(world):
    tree, _m = world

    def keys(user):  # the policy library's own entries (capacity building adds its own under the same menu)
        items = registry.menu_for(user)
        found = {i.key: [c.key for c in i.children if c.key.startswith("policy_")] for i in items}
        return found.get("policy")

    assert keys(tree.user(Role.OFFICE_ADMIN, tree.office)) == [
        "policy_library",
        "policy_uptake",
        "policy_notices",
        "policy_import",
    ]
    assert keys(tree.user(Role.REPORTER, tree.ent_a1)) == ["policy_library", "policy_mine", "policy_uptake"]
    assert keys(tree.user(Role.LEADER, tree.province)) == ["policy_library"]
    assert keys(tree.user(Role.SYS_ADMIN, tree.province)) is None


def test_closing_an_organisation_names_its_later_uptake_forms(world):
    from orgs.services import records_after

    tree, _m, _round = _played(world)
    found = [item for item in records_after(tree.union_a, dt.date(2020, 1, 1)) if "政策落实" in item[0]]
    assert [label for label, _day in found] == ["2 份政策落实情况表"]
    assert not [item for item in records_after(tree.ent_b1, dt.date(2020, 1, 1)) if "政策落实" in item[0]]


def test_office_is_told_of_measures_about_to_expire(world, monkeypatch):
    from core import deadlines
    from policies.tests.factories import make_measure

    tree, _m = world
    make_measure("即将到期的政策", valid_from=dt.date(2021, 1, 1), valid_to=dt.date(2022, 3, 10))
    make_measure("远未到期的政策", valid_from=dt.date(2021, 1, 1), valid_to=dt.date(2023, 3, 10))
    monkeypatch.setattr(deadlines, "today", lambda now=None: dt.date(2022, 3, 1))
    texts = [t.text for t in registry.todos_for(tree.user(Role.OFFICE_ADMIN, tree.office)) if "到期" in t.text]
    assert texts == ["政策即将到期：即将到期的政策，请确认是否延续或废止"]
    assert not [t for t in registry.todos_for(tree.user(Role.REPORTER, tree.ent_a1)) if "到期" in t.text]
