"""Writes to enrolments: an organisation enrols its people and withdraws them; the organiser records
attendance (per day or for the whole class) and completion (结业).

Enrolling and withdrawing are the enrolling organisation's (EDIT on it: a union enrols only its own
subtree's people); attendance and completion are the organiser's. The class row is locked first (the
capacity is counted under that lock), then the enrolment rows are written, then the audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, deadlines, pii
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from orgs.choices import Action
from orgs.models import Membership, Organisation
from orgs.scoping import ensure_allowed, within
from training.choices import ClassStatus, EnrolmentStatus, Mark
from training.models import DayAttendance, Enrolment, TrainingClass, audience_q


def _in_audience(klass: TrainingClass, org: Organisation) -> bool:
    return Organisation.objects.filter(audience_q(klass), pk=org.pk).exists()


def _check_user(user, org: Organisation) -> None:
    """A linked account must be active and hold a role in the enrolling organisation's subtree."""
    if user is None:
        return
    if not user.is_active:
        raise UserError(_("账号“%(user)s”已停用，不能关联。") % {"user": user.get_username()}, field="user")
    held = Membership.objects.filter(user=user, is_active=True).filter(within("org__path", [org])).exists()
    if not held:
        raise UserError(
            _("账号“%(user)s”不属于“%(org)s”，不能关联。") % {"user": user.get_username(), "org": org.name},
            field="user",
        )


def user_by_username(username: str):
    """The account called `username` (None for ""); UserError naming the field when there is none."""
    username = (username or "").strip()
    if not username:
        return None
    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None:
        raise UserError(_("未找到用户名为“%(user)s”的账号。") % {"user": username}, field="user")
    return user


@atomic_retrying
def enrolment_add(
    *,
    by: Actor,
    klass: TrainingClass,
    org: Organisation,
    name: str,
    position: str = "",
    phone: str = "",
    user=None,
) -> Enrolment:
    """Enrol one person of `org` in `klass`; refused (with the reason) outside the audience, when enrolment is
    not open or past its deadline, when the class is full, or when the person is already enrolled."""
    ensure_allowed(by, Action.EDIT, org)
    klass = lock_row(TrainingClass.objects.select_related("organiser"), pk=klass.pk)
    name = " ".join((name or "").split())
    if not name:
        raise UserError(_("请填写参训人员姓名。"), field="name")
    if len(name) > 100:
        raise UserError(_("姓名不能超过 100 个字。"), field="name")
    if klass.status != ClassStatus.OPEN:
        raise UserError(
            _("“%(class)s”当前为“%(status)s”，不接受报名。")
            % {"class": klass.title, "status": klass.get_status_display()},
            field="klass",
        )
    if deadlines.today() > klass.enrol_deadline:
        raise UserError(
            _("“%(class)s”的报名已于 %(day)s 截止。")
            % {"class": klass.title, "day": f"{klass.enrol_deadline:%Y-%m-%d}"},
            field="klass",
        )
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能报名。") % {"org": org.name}, field="org")
    if not _in_audience(klass, org):
        raise UserError(
            _("“%(org)s”不在“%(class)s”的培训对象范围内。") % {"org": org.name, "class": klass.title}, field="org"
        )
    _check_user(user, org)
    active = Enrolment.objects.filter(klass=klass).active()
    if active.filter(org=org, name=name).exists() or (user is not None and active.filter(user=user).exists()):
        raise UserError(
            _("“%(name)s”（%(org)s）已报名本班，同一人只能报名一次。") % {"name": name, "org": org.name}, field="name"
        )
    if klass.capacity is not None and active.count() >= klass.capacity:
        raise UserError(_("本班名额（%(n)d 人）已满，不能再报名。") % {"n": klass.capacity}, field="klass")
    enrolment = Enrolment.objects.create(
        klass=klass,
        org=org,
        name=name,
        position=" ".join((position or "").split())[:200],
        phone=pii.clean_phone(phone),
        user=user,
        enrolled_by=by.user,
    )
    audit.record(by, "training.enrolment.add", enrolment, detail={"class": klass.pk})
    return enrolment


@atomic_retrying
def enrolment_withdraw(*, by: Actor, enrolment: Enrolment) -> Enrolment:
    """Withdraw an enrolment before the class starts; the row stays as history."""
    ensure_allowed(by, Action.EDIT, enrolment.org)
    lock_row(TrainingClass.objects, pk=enrolment.klass_id)
    enrolment = lock_row(Enrolment.objects.select_related("klass", "org"), pk=enrolment.pk)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise UserError(_("“%(name)s”已退出报名。") % {"name": enrolment.name})
    klass = enrolment.klass
    if klass.status in (ClassStatus.FINISHED, ClassStatus.CANCELLED) or deadlines.today() >= klass.starts_on:
        raise UserError(
            _("“%(class)s”已于 %(day)s 开班，不能再退出报名。")
            % {"class": klass.title, "day": f"{klass.starts_on:%Y-%m-%d}"}
        )
    before = audit.snapshot(enrolment)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.WITHDRAWN, withdrawn_at=timezone.now(), version=enrolment.version + 1
    )
    enrolment.refresh_from_db()
    audit.record(by, "training.enrolment.withdraw", enrolment, before=before)
    return enrolment


def _organiser_may_record(by: Actor, klass: TrainingClass) -> TrainingClass:
    ensure_allowed(by, Action.EDIT, klass.organiser)
    klass = lock_row(TrainingClass.objects.select_related("organiser"), pk=klass.pk)
    if klass.status not in (ClassStatus.RUNNING, ClassStatus.FINISHED):
        raise UserError(
            _("培训班开班后才能记录考勤和结业，“%(class)s”当前为“%(status)s”。")
            % {"class": klass.title, "status": klass.get_status_display()}
        )
    return klass


def _enrolments_named(klass: TrainingClass, ids) -> dict[int, Enrolment]:
    rows = {e.pk: e for e in Enrolment.objects.filter(klass=klass).active().select_related("org")}
    unknown = [i for i in ids if i not in rows]
    if unknown:
        raise UserError(
            _("编号为 %(ids)s 的报名不属于本班或已退出。") % {"ids": "、".join(str(i) for i in unknown)},
            field="marks",
        )
    return rows


@atomic_retrying
def attendance_record(*, by: Actor, klass: TrainingClass, marks: Mapping[int, str], day: dt.date | None = None) -> int:
    """Record attendance (出勤/缺勤/请假; "" clears it) for enrolled people, on `day` or, without a day, for the
    whole class; the number of marks changed. Marking someone absent for the whole class takes back their
    completion. One audit row with the marks before and after."""
    klass = _organiser_may_record(by, klass)
    if day is not None:
        if not klass.starts_on <= day <= klass.ends_on:
            raise UserError(
                _("考勤日期应在培训期间（%(start)s 至 %(end)s）。")
                % {"start": f"{klass.starts_on:%Y-%m-%d}", "end": f"{klass.ends_on:%Y-%m-%d}"},
                field="day",
            )
        if day > deadlines.today():
            raise UserError(_("不能记录今天以后的考勤。"), field="day")
    bad = sorted({m for m in marks.values() if m and m not in Mark.values})
    if bad:
        raise UserError(_("考勤只能为出勤、缺勤或请假。"), field="marks")
    rows = _enrolments_named(klass, list(marks))
    if day is None:
        before = {str(pk): rows[pk].attendance for pk in marks}
        changed = 0
        for pk, mark in marks.items():
            if rows[pk].attendance != mark:
                fields = {"attendance": mark}
                if mark == Mark.ABSENT:
                    fields.update(completed=False, completed_on=None)
                Enrolment.objects.filter(pk=pk).update(**fields)
                changed += 1
    else:
        existing = {a.enrolment_id: a for a in DayAttendance.objects.filter(enrolment_id__in=list(marks), day=day)}
        before = {str(pk): existing[pk].mark if pk in existing else "" for pk in marks}
        changed = 0
        for pk, mark in marks.items():
            found = existing.get(pk)
            if not mark:
                if found is not None:
                    found.delete()
                    changed += 1
            elif found is None:
                DayAttendance.objects.create(enrolment_id=pk, day=day, mark=mark)
                changed += 1
            elif found.mark != mark:
                DayAttendance.objects.filter(pk=found.pk).update(mark=mark)
                changed += 1
    after = {str(pk): mark for pk, mark in marks.items()}
    audit.record(
        by,
        "training.attendance.record",
        klass,
        before={"marks": before},
        after={"marks": after},
        detail={"day": f"{day:%Y-%m-%d}" if day else "", "names": {str(pk): rows[pk].name for pk in marks}},
    )
    return changed


@atomic_retrying
def completion_record(
    *, by: Actor, klass: TrainingClass, completed: Mapping[int, bool], on: dt.date | None = None
) -> int:
    """Mark who completed the class (结业) and who did not; the number changed. Someone recorded absent for the
    whole class cannot complete it."""
    klass = _organiser_may_record(by, klass)
    rows = _enrolments_named(klass, list(completed))
    day = on or min(klass.ends_on, deadlines.today())
    absent = [rows[pk].name for pk, done in completed.items() if done and rows[pk].attendance == Mark.ABSENT]
    if absent:
        raise UserError(
            _("%(names)s全程考勤为缺勤，不能结业；请先更正考勤。") % {"names": "、".join(absent)}, field="completed"
        )
    before = {str(pk): rows[pk].completed for pk in completed}
    changed = 0
    for pk, done in completed.items():
        if rows[pk].completed != bool(done):
            Enrolment.objects.filter(pk=pk).update(completed=bool(done), completed_on=day if done else None)
            changed += 1
    audit.record(
        by,
        "training.completion.record",
        klass,
        before={"completed": before},
        after={"completed": {str(pk): bool(done) for pk, done in completed.items()}},
        detail={"names": {str(pk): rows[pk].name for pk in completed}},
    )
    return changed
