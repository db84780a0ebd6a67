"""The site lifecycle through the workflow and its refusals: nominate → return → resubmit → select within quota
→ announce → assign → visit → follow-up closed → rating → accept; withdraw; every write audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core import deadlines
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from core.workflow import IllegalTransition
from orgs.choices import Role
from sites import services
from sites.choices import BatchStatus, FollowUpStatus, NominationStatus, SiteStatus
from sites.models import Site
from sites.tests.factories import APPLICATION, jpeg, make_batch, make_group, make_site, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    return {
        "office": Actor(user=tree.user(Role.OFFICE_ADMIN)),
        "reviewer": Actor(user=tree.user(Role.OFFICE_REVIEWER)),
        "union": Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a)),
        "union_b": Actor(user=tree.user(Role.UNION_ADMIN, tree.union_b)),
        "reporter": Actor(user=tree.user(Role.REPORTER, tree.ent_a2)),
        "guidance": Actor(user=tree.user(Role.GUIDANCE, tree.ent_a1)),
        "dept": Actor(user=tree.user(Role.DEPT_VIEWER)),
    }


def _events(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("event", flat=True)
    )


def test_the_whole_lifecycle(tree, people):
    batch = make_batch(quota=1)
    union, reviewer, office = people["union"], people["reviewer"], people["office"]
    nomination = services.nomination_create(by=union, batch=batch, org=tree.ent_a2, **APPLICATION)
    assert nomination.status == NominationStatus.DRAFT
    nomination = services.nomination_step(by=union, nomination=nomination, step="submit", version=nomination.version)
    with pytest.raises(UserError) as missing:
        services.nomination_step(by=reviewer, nomination=nomination, step="return", version=nomination.version)
    assert missing.value.message == "请填写退回原因，说明需要修改或补充的内容。"
    nomination = services.nomination_step(
        by=reviewer, nomination=nomination, step="return", version=nomination.version, reason="请补充成效数据"
    )
    assert nomination.status == NominationStatus.RETURNED and nomination.reason == "请补充成效数据"
    nomination = services.nomination_update(by=union, nomination=nomination, version=nomination.version, plans="新计划")
    nomination = services.nomination_step(by=union, nomination=nomination, step="submit", version=nomination.version)
    nomination = services.nomination_step(by=reviewer, nomination=nomination, step="select", version=nomination.version)
    assert nomination.status == NominationStatus.SELECTED
    batch.refresh_from_db()
    [site] = services.batch_announce(by=office, batch=batch, version=batch.version, announced_on=dt.date(2021, 6, 18))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ANNOUNCED and site.status == SiteStatus.SELECTED
    assert site.contact_phone == "13812345678" and site.announced_on == dt.date(2021, 6, 18)

    group = services.group_create(
        by=office, name="第一指导组", leader=people["dept"].user, members=[people["guidance"].user]
    )
    site = services.site_assign(by=office, site=site, group=group, version=site.version)
    assert site.status == SiteStatus.GUIDING
    guidance = people["guidance"]
    visit = services.visit_record(
        by=guidance, site=site, visited_on=deadlines.today(), findings="一线代表比例不足", photos=[jpeg()]
    )
    assert visit.files.get().is_photo and visit.files.get().content_type == "image/jpeg"
    followup = services.followup_create(
        by=guidance, visit=visit, title="修订代表选举办法", owner="union", deadline=deadlines.today()
    )
    assert followup.owner == tree.union_a
    with pytest.raises(PermissionDenied):  # the site itself does not close its union's follow-up
        services.followup_close(by=people["reporter"], followup=followup, version=followup.version, note="已办")
    followup = services.followup_close(by=union, followup=followup, version=followup.version, note="已印发")
    assert followup.status == FollowUpStatus.DONE and followup.on_time()
    scores = {"leadership": 18, "mechanism": 17, "measures": "22.5", "results": 20, "example": 8}
    rating = services.rating_save(by=guidance, site=site, year=deadlines.today().year, scores=scores, comment="好")
    assert rating.total == Decimal("85.5")
    site.refresh_from_db()
    site = services.site_accept(by=office, site=site, version=site.version)
    assert site.status == SiteStatus.ACCEPTED

    assert _events(nomination) == [
        "sites.nomination.create", "sites.nomination.submit", "sites.nomination.return", "sites.nomination.update",
        "sites.nomination.submit", "sites.nomination.select",
    ]  # fmt: skip
    assert _events(site) == ["sites.site.create", "sites.site.assign", "sites.site.accept"]
    for obj, event in ((visit, "sites.visit.record"), (rating, "sites.rating.save"), (group, "sites.group.create")):
        assert _events(obj) == [event]
    assert _events(followup) == ["sites.followup.create", "sites.followup.close"]
    assert _events(batch)[-1] == "sites.batch.announce"


def test_quota_is_enforced_at_selection_with_a_clear_message(tree, people):
    batch = make_batch(quota=1)
    union = people["union"]
    first, second = (
        services.nomination_create(by=union, batch=batch, org=org, **APPLICATION) for org in (tree.ent_a1, tree.ent_a2)
    )
    for n in (first, second):
        services.nomination_step(by=union, nomination=n, step="submit", version=n.version)
    first.refresh_from_db()
    second.refresh_from_db()
    services.nomination_step(by=people["reviewer"], nomination=first, step="select", version=first.version)
    with pytest.raises(UserError) as full:
        services.nomination_step(by=people["reviewer"], nomination=second, step="select", version=second.version)
    assert full.value.message == f"“{batch.name}”名额为 1 个，已入选 1 个，名额已满，不能再选入。"
    second.refresh_from_db()
    assert second.status == NominationStatus.SUBMITTED


def test_window_one_per_org_and_who_may_nominate(tree, people):
    closed = make_batch(open_now=False)
    with pytest.raises(UserError) as late:
        services.nomination_create(by=people["union"], batch=closed, org=tree.ent_a1, **APPLICATION)
    assert "不在推荐期内" in late.value.message
    batch = make_batch()
    services.nomination_create(by=people["union"], batch=batch, org=tree.ent_a1, **APPLICATION)
    with pytest.raises(UserError) as twice:
        services.nomination_create(by=people["union"], batch=batch, org=tree.ent_a1, **APPLICATION)
    assert twice.value.message == "“昆明供电局”已有本批次的推荐，每个单位每批只能推荐一次。"
    for who, org in (("union_b", tree.ent_a2), ("reporter", tree.ent_a2), ("office", tree.ent_a2)):
        with pytest.raises(PermissionDenied):
            services.nomination_create(by=people[who], batch=batch, org=org, **APPLICATION)
    with pytest.raises(UserError) as phone:
        services.nomination_create(
            by=people["union"], batch=batch, org=tree.ent_a2, **{**APPLICATION, "contact_phone": "abc"}
        )
    assert phone.value.field == "contact_phone"


def test_submitting_an_incomplete_application_names_the_missing_part(tree, people):
    batch = make_batch()
    n = services.nomination_create(by=people["union"], batch=batch, org=tree.ent_a1, goals=["skills"])
    with pytest.raises(UserError) as missing:
        services.nomination_step(by=people["union"], nomination=n, step="submit", version=n.version)
    assert missing.value.message == "推荐前请填写已开展的工作。" and missing.value.field == "achievements"


def test_stale_version_and_illegal_steps_change_nothing(tree, people):
    batch = make_batch()
    n = services.nomination_create(by=people["union"], batch=batch, org=tree.ent_a1, **APPLICATION)
    with pytest.raises(ConflictError):
        services.nomination_update(by=people["union"], nomination=n, version=n.version + 5, plans="x")
    with pytest.raises(IllegalTransition):
        services.nomination_step(by=people["reviewer"], nomination=n, step="select", version=n.version)
    n.refresh_from_db()
    assert n.status == NominationStatus.DRAFT and n.plans == APPLICATION["plans"]


def test_announce_refuses_while_nominations_wait(tree, people):
    batch = make_batch()
    n = services.nomination_create(by=people["union"], batch=batch, org=tree.ent_a1, **APPLICATION)
    services.nomination_step(by=people["union"], nomination=n, step="submit", version=n.version)
    with pytest.raises(UserError) as waiting:
        services.batch_announce(by=people["office"], batch=batch, version=batch.version)
    assert "还有 1 份推荐未作遴选决定" in waiting.value.message
    with pytest.raises(PermissionDenied):
        services.batch_announce(by=people["reviewer"], batch=batch, version=batch.version)


def test_withdraw_needs_a_reason(tree, people):
    site = make_site(tree.ent_a1, status=SiteStatus.SELECTED)
    with pytest.raises(UserError) as missing:
        services.site_withdraw(by=people["office"], site=site, version=site.version, reason=" ")
    assert missing.value.message == "请填写撤销原因。"
    site = services.site_withdraw(by=people["office"], site=site, version=site.version, reason="企业重组")
    assert site.status == SiteStatus.WITHDRAWN and site.withdraw_reason == "企业重组"
    assert AuditEntry.objects.filter(event="sites.site.withdraw", object_id=str(site.pk)).exists()


def test_only_the_assigned_group_rates_and_never_its_own_organisation(tree, people):
    guidance, dept = people["guidance"], people["dept"]
    group = make_group(dept.user, guidance.user)
    assigned = make_site(tree.ent_b1, group=group)
    own = make_site(tree.ent_a1, group=group)
    other = make_site(tree.ent_a2, group=make_group(people["office"].user))
    scores = {"leadership": 20, "mechanism": 20, "measures": 25, "results": 25, "example": 10}
    year = deadlines.today().year
    assert services.rating_save(by=guidance, site=assigned, year=year, scores=scores).total == 100
    with pytest.raises(PermissionDenied):
        services.rating_save(by=guidance, site=other, year=year, scores=scores)
    with pytest.raises(PermissionDenied):
        services.rating_save(by=guidance, site=own, year=year, scores=scores)
    with pytest.raises(UserError) as too_many:
        services.rating_save(by=dept, site=assigned, year=year, scores={**scores, "example": 11}, version=1)
    assert too_many.value.message == "“示范带动”的得分应在 0 到 10 分之间（可到 0.5 分）。"
    with pytest.raises(ConflictError):
        services.rating_save(by=dept, site=assigned, year=year, scores=scores, version=99)
    services.ratings_lock(by=people["office"], year=year)
    with pytest.raises(UserError) as locked:
        services.rating_save(by=dept, site=assigned, year=year, scores=scores, version=1)
    assert locked.value.message == f"{year} 年度的评价已由产改办锁定，不能再修改。"


def test_visits_only_by_group_members_and_photos_only_images(tree, people):
    group = make_group(people["dept"].user, people["guidance"].user)
    site = make_site(tree.ent_b1, group=group)
    with pytest.raises(PermissionDenied):
        services.visit_record(by=people["office"], site=site, visited_on=deadlines.today(), findings="x")
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    with pytest.raises(UserError):
        services.visit_record(
            by=people["guidance"], site=site, visited_on=deadlines.today(), findings="x", photos=[text]
        )
    with pytest.raises(UserError) as future:
        services.visit_record(
            by=people["guidance"], site=site, visited_on=deadlines.today() + dt.timedelta(days=1), findings="x"
        )
    assert future.value.message == "走访日期不能晚于今天。"
    assert not site.visits.exists()


def test_overdue_is_open_past_the_deadline_day(tree, people):
    group = make_group(people["dept"].user)
    site = make_site(tree.ent_a1, group=group)
    visit = make_visit(site, people["dept"].user, visited_on=dt.date(2021, 9, 1))
    today = deadlines.today()
    due_today = services.followup_create(by=people["dept"], visit=visit, title="a", owner="site", deadline=today)
    due_yesterday = services.followup_create(
        by=people["dept"], visit=visit, title="b", owner="site", deadline=today - dt.timedelta(days=1)
    )
    assert not due_today.is_overdue() and due_yesterday.is_overdue()
    closed = services.followup_close(
        by=people["union"], followup=due_yesterday, version=due_yesterday.version, note="已办"
    )
    assert not closed.is_overdue() and closed.on_time() is False


def test_guidance_member_sees_assigned_sites_only_besides_their_scope(tree, people):
    guidance = people["guidance"].user
    assigned = make_site(tree.ent_b1, group=make_group(people["dept"].user, guidance))
    foreign = make_site(tree.ent_a2, group=make_group(people["dept"].user))
    own = make_site(tree.ent_a1)
    visible = set(Site.objects.visible_to(guidance).values_list("pk", flat=True))
    assert visible == {assigned.pk, own.pk}
    assert foreign.pk not in visible
    from core.models import AuditEntry as _A  # noqa: F401 - reading touches no audit row

    assert not AuditEntry.objects.filter(event__startswith="sites.").exists()
