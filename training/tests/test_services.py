"""Capacity building's writes: classes and their course, enrolment rules, attendance and completion, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F

from core import deadlines
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from orgs.choices import OrgKind, Role
from orgs.tests.factories import SYSTEM
from training import services
from training.choices import ClassKind, ClassStatus, EnrolmentStatus, Mark
from training.models import DayAttendance, Enrolment, TrainingClass
from training.tests.factories import enrol, make_class

pytestmark = pytest.mark.django_db

TODAY = deadlines.today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def new_class(by, organiser, **fields):
    fields.setdefault("kind", ClassKind.SEMINAR)
    fields.setdefault("title", "专题学习班")
    fields.setdefault("starts_on", days(20))
    fields.setdefault("ends_on", days(22))
    fields.setdefault("enrol_deadline", days(10))
    fields.setdefault("place", "昆明市")
    fields.setdefault("audience_kinds", [OrgKind.UNION, OrgKind.PREFECTURE])
    return services.class_create(by=by, organiser=organiser, **fields)


# --- classes -----------------------------------------------------------------------------------------------


def test_the_office_creates_a_class_in_preparation_and_it_is_audited(tree, office):
    klass = new_class(office, tree.office, capacity=40, audience_note="改革办公室负责人")
    assert klass.status == ClassStatus.PLANNING and klass.year == days(20).year
    row = AuditEntry.objects.get(event="training.class.create", object_id=str(klass.pk))
    assert row.after["title"] == "专题学习班" and row.after["capacity"] == 40 and row.username == office.user.username


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写培训班名称。"),
        ({"ends_on": days(19)}, "ends_on", "结束日期不能早于开班日期。"),
        ({"enrol_deadline": days(21)}, "enrol_deadline", "报名截止日期不能晚于开班日期。"),
        ({"place": ""}, "place", "请填写培训地点。"),
        ({"capacity": 0}, "capacity", "名额应为 1 到 10000 之间的整数，不限名额请留空。"),
        ({"audience_kinds": []}, "audience_kinds", "请选择培训对象（机构类型或指定单位）。"),
        ({"audience_kinds": ["office"]}, "audience_kinds", "培训对象的机构类型不正确：office。"),
        ({"kind": "party"}, "kind", "请选择培训班类别。"),
    ],
)
def test_bad_class_input_is_refused_naming_the_field(tree, office, fields, field, message):
    with pytest.raises(UserError) as caught:
        new_class(office, tree.office, **fields)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert not TrainingClass.objects.exists()
    assert not AuditEntry.objects.filter(event="training.class.create").exists()


def test_only_an_office_union_or_prefecture_organises_and_only_its_own(tree, office, union_admin):
    with pytest.raises(UserError) as caught:
        new_class(office, tree.ent_a1)
    assert caught.value.field == "organiser" and "昆明供电局" in caught.value.message
    new_class(union_admin, tree.union_a, audience_kinds=[OrgKind.ENTERPRISE])  # its own union: fine
    with pytest.raises(PermissionDenied):
        new_class(union_admin, tree.union_b)
    with pytest.raises(PermissionDenied):
        new_class(Actor(user=tree.user(Role.OFFICE_REVIEWER)), tree.office)  # no EDIT


def test_editing_with_a_stale_version_is_a_conflict_and_capacity_cannot_drop_below_enrolled(tree, office):
    klass = make_class(tree.office, capacity=5)
    enrol(klass, tree.union_a, "张三")
    enrol(klass, tree.union_b, "李四")
    services.class_update(by=office, klass=klass, version=klass.version, title="改过的名称")
    with pytest.raises(ConflictError):
        services.class_update(by=office, klass=klass, version=1, title="第二次")
    klass.refresh_from_db()
    with pytest.raises(UserError) as caught:
        services.class_update(by=office, klass=klass, version=klass.version, capacity=1)
    assert caught.value.message == "已有 2 人报名，名额不能少于报名人数。"
    klass.refresh_from_db()
    assert klass.title == "改过的名称" and klass.capacity == 5
    assert AuditEntry.objects.filter(event="training.class.update").count() == 1


def test_the_course_of_a_class_through_the_shared_workflow(tree, office):
    klass = new_class(office, tree.office, starts_on=TODAY, ends_on=TODAY, enrol_deadline=TODAY)
    services.class_step(by=office, klass=klass, step="open")
    services.class_step(by=office, klass=klass, step="start")
    services.class_step(by=office, klass=klass, step="finish")
    klass.refresh_from_db()
    assert klass.status == ClassStatus.FINISHED
    events = list(
        AuditEntry.objects.filter(object_id=str(klass.pk), object_type="training.trainingclass").order_by("id")
    )
    assert [e.event for e in events] == [
        "training.class.create", "training.class.open", "training.class.start", "training.class.finish",
    ]  # fmt: skip
    with pytest.raises(ConflictError) as caught:
        services.class_step(by=office, klass=klass, step="open")
    assert "已结束" in caught.value.message


def test_steps_are_refused_before_their_day_and_cancelling_needs_a_reason(tree, office):
    klass = new_class(office, tree.office)
    services.class_step(by=office, klass=klass, step="open")
    with pytest.raises(UserError) as caught:
        services.class_step(by=office, klass=klass, step="start")
    assert "开班当天或之后" in caught.value.message
    with pytest.raises(UserError) as caught:
        services.class_step(by=office, klass=klass, step="cancel", reason=" ")
    assert caught.value.message == "请填写取消培训班的原因。"
    services.class_step(by=office, klass=klass, step="cancel", reason="疫情防控")
    row = AuditEntry.objects.get(event="training.class.cancel")
    assert row.detail == {"reason": "疫情防控"}
    late = new_class(office, tree.office, enrol_deadline=days(-1), starts_on=days(1), ends_on=days(1))
    with pytest.raises(UserError) as caught:
        services.class_step(by=office, klass=late, step="open")
    assert caught.value.field == "enrol_deadline"


# --- enrolment ---------------------------------------------------------------------------------------------


def test_a_union_enrols_its_own_people_with_the_phone_encrypted(tree, union_admin):
    klass = make_class(tree.office)
    enrolment = services.enrolment_add(
        by=union_admin, klass=klass, org=tree.ent_a1, name="赵六", position="工会主席", phone="139 8765 4321"
    )
    assert enrolment.status == EnrolmentStatus.ENROLLED and enrolment.enrolled_by == union_admin.user
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM training_enrolment WHERE id = %s", [enrolment.pk])
        (raw,) = cursor.fetchone()
    assert "13987654321" not in raw and raw.startswith("v1$")
    assert Enrolment.objects.get(pk=enrolment.pk).phone == "13987654321"
    row = AuditEntry.objects.get(event="training.enrolment.add")
    assert row.after["phone"] == "139****4321" and row.after["name"] == "赵六"


def test_a_union_cannot_enrol_another_unions_people(tree, union_admin):
    klass = make_class(tree.office)
    with pytest.raises(PermissionDenied):
        services.enrolment_add(by=union_admin, klass=klass, org=tree.ent_b1, name="越权")
    reporter = Actor(user=tree.user(Role.REPORTER))
    with pytest.raises(PermissionDenied):
        services.enrolment_add(by=reporter, klass=klass, org=tree.union_a, name="越级")
    assert not Enrolment.objects.exists()


def test_only_the_audience_may_enrol(tree, union_admin, office):
    klass = make_class(tree.office, audience_kinds=[OrgKind.PREFECTURE])
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=union_admin, klass=klass, org=tree.union_a, name="张三")
    assert caught.value.message == "“云南电网”不在“产改业务培训班”的培训对象范围内。"
    # A union's own class is for its own subtree only.
    own = make_class(tree.union_a, audience_kinds=[OrgKind.ENTERPRISE], title="电网业务培训")
    services.enrolment_add(by=office, klass=own, org=tree.ent_a2, name="王五")
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=own, org=tree.ent_b1, name="钱七")
    assert caught.value.field == "org"
    # Named organisations are in the audience whatever their kind.
    named = make_class(tree.office, audience_kinds=[], audience_orgs=[tree.dept], title="成员单位学习班")
    services.enrolment_add(by=office, klass=named, org=tree.dept, name="孙八")


def test_capacity_is_enforced(tree, office):
    klass = make_class(tree.office, capacity=2)
    services.enrolment_add(by=office, klass=klass, org=tree.union_a, name="甲")
    services.enrolment_add(by=office, klass=klass, org=tree.union_b, name="乙")
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=klass, org=tree.kunming, name="丙")
    assert caught.value.message == "本班名额（2 人）已满，不能再报名。"
    assert Enrolment.objects.filter(klass=klass).count() == 2


def test_enrolment_closes_after_the_deadline_and_outside_the_open_state(tree, office):
    klass = make_class(tree.office)
    TrainingClass.objects.filter(pk=klass.pk).update(enrol_deadline=days(-1))
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=klass, org=tree.union_a, name="甲")
    assert caught.value.message == f"“产改业务培训班”的报名已于 {days(-1):%Y-%m-%d} 截止。"
    planned = make_class(tree.office, status=ClassStatus.PLANNING, title="筹备中的班")
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=planned, org=tree.union_a, name="甲")
    assert caught.value.message == "“筹备中的班”当前为“筹备”，不接受报名。"


def test_one_person_once_per_class(tree, office):
    klass = make_class(tree.office)
    person = tree.user(Role.UNION_ADMIN, tree.union_a)
    services.enrolment_add(by=office, klass=klass, org=tree.union_a, name="张三", user=person)
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=klass, org=tree.union_a, name=" 张三 ")
    assert caught.value.message == "“张三”（云南电网）已报名本班，同一人只能报名一次。"
    with pytest.raises(UserError):
        services.enrolment_add(by=office, klass=klass, org=tree.union_a, name="张三丰", user=person)
    outsider = tree.user(Role.REPORTER, tree.ent_b1)
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=klass, org=tree.union_a, name="李四", user=outsider)
    assert caught.value.field == "user"
    with pytest.raises(UserError) as caught:
        services.enrolment_add(by=office, klass=klass, org=tree.union_a, name="王五", phone="abc")
    assert caught.value.field == "phone"
    assert Enrolment.objects.count() == 1


def test_withdraw_before_the_start_and_enrol_again(tree, union_admin):
    klass = make_class(tree.office)
    enrolment = services.enrolment_add(by=union_admin, klass=klass, org=tree.union_a, name="张三")
    services.enrolment_withdraw(by=union_admin, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN and enrolment.withdrawn_at
    row = AuditEntry.objects.get(event="training.enrolment.withdraw")
    assert row.before["status"] == "enrolled" and row.after["status"] == "withdrawn"
    again = services.enrolment_add(by=union_admin, klass=klass, org=tree.union_a, name="张三")
    TrainingClass.objects.filter(pk=klass.pk).update(starts_on=TODAY, enrol_deadline=TODAY)
    with pytest.raises(UserError) as caught:
        services.enrolment_withdraw(by=union_admin, enrolment=again)
    assert "不能再退出报名" in caught.value.message
    other = Actor(user=tree.user(Role.UNION_ADMIN, tree.union_b))
    with pytest.raises(PermissionDenied):
        services.enrolment_withdraw(by=other, enrolment=again)


# --- attendance and completion -----------------------------------------------------------------------------


@pytest.fixture
def held(tree):
    """A class that ran from three days ago to yesterday, with three people enrolled."""
    klass = make_class(tree.office, days_ahead=-3, status=ClassStatus.FINISHED, ends_on=days(-1))
    people = [
        enrol(klass, org, name) for org, name in ((tree.union_a, "甲"), (tree.union_b, "乙"), (tree.kunming, "丙"))
    ]
    return klass, people


def test_attendance_per_day_and_for_the_whole_class(tree, office, held):
    klass, (a, b, c) = held
    changed = services.attendance_record(
        by=office, klass=klass, day=days(-3), marks={a.pk: Mark.PRESENT, b.pk: Mark.LEAVE, c.pk: ""}
    )
    assert changed == 2
    assert dict(DayAttendance.objects.values_list("enrolment_id", "mark")) == {a.pk: "present", b.pk: "leave"}
    services.attendance_record(by=office, klass=klass, day=days(-3), marks={b.pk: Mark.PRESENT})
    assert DayAttendance.objects.get(enrolment=b).mark == "present"
    services.attendance_record(by=office, klass=klass, marks={a.pk: Mark.PRESENT, c.pk: Mark.ABSENT})
    assert Enrolment.objects.get(pk=c.pk).attendance == "absent"
    rows = AuditEntry.objects.filter(event="training.attendance.record").order_by("id")
    assert rows.count() == 3
    assert rows[1].before == {"marks": {str(b.pk): "leave"}} and rows[1].after == {"marks": {str(b.pk): "present"}}
    assert rows[0].detail["day"] == f"{days(-3):%Y-%m-%d}"


def test_attendance_refusals(tree, office, union_admin, held):
    klass, (a, _b, _c) = held
    with pytest.raises(UserError) as caught:
        services.attendance_record(by=office, klass=klass, day=days(-5), marks={a.pk: Mark.PRESENT})
    assert caught.value.field == "day"
    with pytest.raises(UserError) as caught:
        services.attendance_record(by=office, klass=klass, marks={a.pk: "late"})
    assert caught.value.message == "考勤只能为出勤、缺勤或请假。"
    with pytest.raises(UserError) as caught:
        services.attendance_record(by=office, klass=klass, marks={999999: Mark.PRESENT})
    assert "999999" in caught.value.message
    with pytest.raises(PermissionDenied):  # the union enrolled people but does not organise the class
        services.attendance_record(by=union_admin, klass=klass, marks={a.pk: Mark.PRESENT})
    upcoming = make_class(tree.office, title="未开班")
    person = enrol(upcoming, tree.union_a, "丁")
    with pytest.raises(UserError) as caught:
        services.attendance_record(by=office, klass=upcoming, marks={person.pk: Mark.PRESENT})
    assert "开班后才能记录考勤和结业" in caught.value.message
    assert not DayAttendance.objects.exists()


def test_completion_and_an_absent_person_cannot_complete(tree, office, held):
    klass, (a, b, c) = held
    services.attendance_record(by=office, klass=klass, marks={c.pk: Mark.ABSENT})
    with pytest.raises(UserError) as caught:
        services.completion_record(by=office, klass=klass, completed={a.pk: True, c.pk: True})
    assert caught.value.message == "丙全程考勤为缺勤，不能结业；请先更正考勤。"
    assert not Enrolment.objects.filter(completed=True).exists()
    changed = services.completion_record(by=office, klass=klass, completed={a.pk: True, b.pk: True, c.pk: False})
    assert changed == 2
    done = Enrolment.objects.get(pk=a.pk)
    assert done.completed and done.completed_on == klass.ends_on
    row = AuditEntry.objects.get(event="training.completion.record")
    assert row.after["completed"][str(a.pk)] is True and row.before["completed"][str(a.pk)] is False
    # Marking someone absent afterwards takes the completion away.
    services.attendance_record(by=office, klass=klass, marks={b.pk: Mark.ABSENT})
    assert not Enrolment.objects.get(pk=b.pk).completed


def test_a_version_bump_elsewhere_does_not_lose_a_step(tree, office):
    klass = new_class(office, tree.office)
    TrainingClass.objects.filter(pk=klass.pk).update(version=F("version") + 1)  # someone saved meanwhile
    services.class_step(by=office, klass=klass, step="open")  # the step locks and reads the row afresh
    assert TrainingClass.objects.get(pk=klass.pk).status == ClassStatus.OPEN


def test_system_actor_plays_the_demo(tree):
    klass = make_class(tree.office)
    assert services.enrolment_add(by=SYSTEM, klass=klass, org=tree.union_a, name="系统").pk
