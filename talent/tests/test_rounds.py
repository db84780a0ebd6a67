"""Selection rounds: the office opens one, unions nominate people of their scope, the office returns,
shortlists within the quota and approves; publishing writes the honours; to-dos on the home page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import deadlines, registry
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Role
from talent.choices import HonourKind, HonourLevel, NominationStatus, RoundStatus
from talent.models import Honour
from talent.services import rounds
from talent.tests.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = deadlines.today()


def _round(tree, quota=1):
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    return rounds.round_create(
        by=office, kind=HonourKind.CRAFTSMAN, level=HonourLevel.PROVINCIAL, title="云岭工匠", year=TODAY.year,
        quota=quota, opens_on=TODAY - dt.timedelta(days=1), closes_on=TODAY + dt.timedelta(days=10),
    ), office  # fmt: skip


def test_only_the_office_opens_a_round(tree):
    with pytest.raises(PermissionDenied):
        rounds.round_create(by=Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a)), kind="craftsman")
    rnd, office = _round(tree)
    with pytest.raises(UserError) as caught:
        rounds.round_create(
            by=office, kind=HonourKind.CRAFTSMAN, level=HonourLevel.PROVINCIAL, title="x", year=TODAY.year,
            quota=1, opens_on=TODAY, closes_on=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
    assert caught.value.field == "closes_on"


def test_the_whole_course(tree):
    rnd, office = _round(tree, quota=1)
    union = Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))
    a = make_person(tree.ent_a1, "李工匠")
    b = make_person(tree.ent_a2, "王工匠")
    other = make_person(tree.ent_b1, "赵铜")
    with pytest.raises(PermissionDenied):
        rounds.nominate(by=union, rnd=rnd, person=other, reason="x")
    with pytest.raises(UserError):
        rounds.nominate(by=union, rnd=rnd, person=a, reason="")
    na = rounds.nominate(by=union, rnd=rnd, person=a, reason="技术革新成果显著", submit=True)
    nb = rounds.nominate(by=union, rnd=rnd, person=b, reason="带徒传技")
    assert na.status == NominationStatus.SUBMITTED and nb.status == NominationStatus.DRAFT
    todos = registry.todos_for(tree.user(Role.OFFICE_ADMIN))
    assert any("待审核" in t.text for t in todos)
    with pytest.raises(PermissionDenied):
        rounds.nomination_step(by=union, nomination=na, step="shortlist")
    with pytest.raises(UserError):
        rounds.nomination_step(by=office, nomination=na, step="return", reason="")
    rounds.nomination_step(by=office, nomination=na, step="return", reason="补充事迹材料")
    rounds.nomination_step(by=union, nomination=na, step="submit")
    rounds.nomination_step(by=union, nomination=nb, step="submit")
    rounds.nomination_step(by=office, nomination=na, step="shortlist")
    with pytest.raises(UserError) as caught:
        rounds.nomination_step(by=office, nomination=nb, step="shortlist")
    assert "名额" in caught.value.message
    rounds.nomination_step(by=office, nomination=na, step="approve")
    honours = rounds.round_decide(by=office, rnd=rnd)
    assert [h.person for h in honours] == [a]
    honour = Honour.objects.get(person=a)
    assert honour.kind == HonourKind.CRAFTSMAN and honour.title == "云岭工匠"
    nb.refresh_from_db()
    rnd.refresh_from_db()
    assert nb.status == NominationStatus.NOT_SELECTED and rnd.status == RoundStatus.DECIDED
    with pytest.raises(UserError):
        rounds.round_decide(by=office, rnd=rnd)


def test_the_pages(client, tree):
    rnd, _office = _round(tree)
    a = make_person(tree.ent_a1, "李工匠")
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert rnd.title in client.get(reverse("talent:rounds")).content.decode()
    assert any(rnd.title in t.text for t in registry.todos_for(tree.user(Role.UNION_ADMIN, tree.union_a)))
    page = client.get(rnd.get_absolute_url()).content.decode()
    assert 'id="nominate-form"' in page
    response = client.post(reverse("talent:nominate", args=[rnd.pk]), {"person": a.pk, "reason": "", "submit": "on"})
    assert response.status_code == 400
    response = client.post(
        reverse("talent:nominate", args=[rnd.pk]), {"person": a.pk, "reason": "成绩突出", "submit": "on"}
    )
    assert response.status_code == 302
    nomination = rnd.nominations.get()
    assert (
        client.post(reverse("talent:nomination_step", args=[nomination.pk]), {"step": "shortlist"}).status_code == 403
    )
    assert client.get(reverse("talent:round_create")).status_code == 403
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert "李工匠" not in client.get(rnd.get_absolute_url()).content.decode()
    assert client.post(reverse("talent:nomination_step", args=[nomination.pk]), {"step": "submit"}).status_code == 404
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    for step in ("shortlist", "approve"):
        assert client.post(reverse("talent:nomination_step", args=[nomination.pk]), {"step": step}).status_code == 302
    client.post(reverse("talent:round_decide", args=[rnd.pk]))
    assert Honour.objects.filter(person=a).exists()
    assert client.post(reverse("talent:nomination_step", args=[nomination.pk]), {"step": "bogus"}).status_code == 302
