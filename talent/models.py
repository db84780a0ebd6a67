"""The talent pool (人才库): outstanding workers and what they were named.

A `Person` is an outstanding worker kept once, by the organisation (enterprise or unit) where he or she
works: occupation, skill level on the eight-level ladder, education, whether an industrial worker, and,
optionally, an ID number and a phone, encrypted at rest (core/fields.py) with a blind index for finding a
person by ID number. `Honour` rows are what the person was named and when (劳动模范, 五一劳动奖章, 工匠 …);
the studios, suggestions and competitions link their people here instead of retyping names.

Who sees a person: whoever's scope covers the person's organisation (`PersonQuerySet`, the door); the full
ID number and phone only those with PII_VIEW there, each view audited (core/pii.py).
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import BlindIndexField, EncryptedCharField
from core.idnumber import validate_id_number
from core.models import BaseModel
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet
from talent.choices import Education, Gender, HonourKind, HonourLevel, NominationStatus, RoundStatus, SkillLevel

ID_PURPOSE = _("评选先进、推荐荣誉时核实本人身份，避免同一人重复入库")
PHONE_PURPOSE = _("工会联系先进人物，安排宣讲、评选和关爱服务")


class PersonQuerySet(ScopedQuerySet):
    org_field = "org"

    def active(self) -> PersonQuerySet:
        return self.filter(removed_on__isnull=True)


class Person(BaseModel):
    """An outstanding worker in the talent pool, kept once by the organisation where he or she works."""

    org = models.ForeignKey(Organisation, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="talents")
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, validators=[MinValueValidator(1930), MaxValueValidator(2015)]
    )
    occupation = models.CharField(_("职业（工种）"), max_length=100)
    skill_level = models.CharField(_("技能等级"), max_length=20, choices=SkillLevel.choices, default=SkillLevel.NONE)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    is_industrial_worker = models.BooleanField(
        _("产业工人"), default=True, help_text=_("一线生产、技术岗位的职工；管理人员不算。")
    )
    is_migrant_worker = models.BooleanField(_("农民工"), default=False)
    is_speaker = models.BooleanField(_("宣讲人"), default=False, help_text=_("从优秀产业工人中选出的宣讲人。"))
    id_number = EncryptedCharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        kind="id_number",
        purpose=ID_PURPOSE,
        validators=[validate_id_number],
    )
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, kind="phone", purpose=PHONE_PURPOSE)
    notes = models.TextField(_("简要事迹"), blank=True)
    removed_on = models.DateField(_("移出人才库日期"), null=True, blank=True)
    removed_reason = models.CharField(_("移出原因"), max_length=200, blank=True)
    erased_on = models.DateField(
        _("个人信息删除日期"),
        null=True,
        blank=True,
        help_text=_("移出人才库满保存期限后，身份证号和联系电话被删除的日期（docs/personal-data.md）。"),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["org__path", "name", "pk"]
        verbose_name = _("人才")
        verbose_name_plural = _("人才库")
        indexes = [models.Index(fields=["id_number_index"], name="talent_person_id_index")]

    def __str__(self) -> str:
        # Goes into every audit row about the person: a name and a number, never the ID number or phone.
        return f"{self.name}（{self.pk}）"

    def get_absolute_url(self) -> str:
        return reverse("talent:person", args=[self.pk])

    def is_active(self, day: dt.date | None = None) -> bool:
        return self.removed_on is None or (day is not None and self.removed_on > day)


class HonourQuerySet(ScopedQuerySet):
    org_field = "person__org"


class Honour(BaseModel):
    """What a person was named and when: a kind, a level, the awarding body and the date."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("类别"), max_length=24, choices=HonourKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=HonourLevel.choices)
    title = models.CharField(_("称号全称"), max_length=200, help_text=_("例如：云南省劳动模范、云岭大工匠。"))
    awarded_on = models.DateField(_("授予日期"))
    awarded_by = models.CharField(_("授予单位"), max_length=100, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    objects = HonourQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_on", "pk"]
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "level", "awarded_on"], name="talent_honour_once_per_day"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="talent_honour_has_title"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.awarded_on:%Y}）"


class SelectionRoundQuerySet(models.QuerySet):
    """Rounds are province-wide: everyone with a business role sees them; nominations carry the scope."""


class SelectionRound(BaseModel):
    """A selection round (评选) the office opens for one honour: unions nominate, the office shortlists
    within the quota and approves, which writes the Honour rows."""

    kind = models.CharField(_("荣誉类别"), max_length=24, choices=HonourKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("称号全称"), max_length=200)
    quota = models.PositiveIntegerField(_("名额"), validators=[MinValueValidator(1)])
    opens_on = models.DateField(_("推荐开始日期"))
    closes_on = models.DateField(_("推荐截止日期"))
    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    awarded_by = models.CharField(_("授予单位"), max_length=100, blank=True)
    notes = models.TextField(_("评选说明"), blank=True)

    objects = SelectionRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-opens_on", "pk"]
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="talent_round_window"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("talent:round", args=[self.pk])


class NominationQuerySet(ScopedQuerySet):
    org_field = "org"


class Nomination(BaseModel):
    """A union's nomination of one person of its scope in a round, with the reason, on the shared workflow
    (talent/workflow.py)."""

    round = models.ForeignKey(
        SelectionRound, verbose_name=_("评选"), on_delete=models.CASCADE, related_name="nominations"
    )
    person = models.ForeignKey(Person, verbose_name=_("被推荐人"), on_delete=models.PROTECT, related_name="nominations")
    org = models.ForeignKey(
        Organisation, verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="talent_nominations"
    )
    reason = models.TextField(_("推荐理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=NominationStatus.choices, default=NominationStatus.DRAFT
    )
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    honour = models.OneToOneField(
        Honour,
        verbose_name=_("授予的荣誉"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nomination",
    )

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["round", "org__path", "pk"]
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="talent_nomination_once")]

    def __str__(self) -> str:
        return f"推荐{self.pk}（评选{self.round_id}）"
