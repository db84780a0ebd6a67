"""Labour and skill competitions (劳动和技能竞赛): events, their trades, entries, results and what results brought.

A `Competition` is one event held by an organiser (a union or enterprise) at a level, over one or more trades
(`Trade`, 工种); its life is 筹备中 → 进行中 → 已结束 → 已公布结果. A `CompetitionEntry` is one participant in one
trade, sent by an entrant organisation: a person of the talent pool, or a name for someone not in it. Its result
(score, rank, award) is recorded on the entry and locked when the results are published. An `Outcome` is what
one result brought the person: a skill level, a title, an honour in the talent pool, a pay rise.

Who sees what (the door): whoever sees the organiser sees the event and every entry; whoever sees an entrant
organisation sees that organisation's entries and, through them, the event.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from competitions.choices import Award, CompetitionKind, CompetitionLevel, CompetitionStatus, OutcomeKind
from core.models import BaseModel
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet, granted_paths, within
from talent.choices import SkillLevel


class CompetitionQuerySet(ScopedQuerySet):
    org_field = "organiser"

    def visible_to(self, user, action: str = Action.VIEW):
        """Events whose organiser lies in the user's scope for `action`; for viewing, also those the user's
        organisations entered."""
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        own = within("organiser__path", paths, self.db)
        if action != Action.VIEW:
            return self.filter(own)
        entered = CompetitionEntry.objects.filter(within("org__path", paths, self.db), competition=OuterRef("pk"))
        return self.filter(own | Q(Exists(entered)))


class Competition(BaseModel):
    """One labour or skill competition held by an organiser at a level, over one or more trades."""

    kind = models.CharField(_("类别"), max_length=10, choices=CompetitionKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=CompetitionLevel.choices)
    name = models.CharField(_("竞赛名称"), max_length=200)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="competitions"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CompetitionStatus.choices, default=CompetitionStatus.PLANNED
    )
    published_on = models.DateField(_("结果公布日期"), null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name", "pk"]
        verbose_name = _("竞赛")
        verbose_name_plural = _("劳动和技能竞赛")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
            models.UniqueConstraint(fields=["organiser", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("competitions:competition", args=[self.pk])

    @property
    def year(self) -> int:
        return self.starts_on.year

    @property
    def results_locked(self) -> bool:
        return self.status == CompetitionStatus.PUBLISHED


class TradeQuerySet(ScopedQuerySet):
    org_field = "competition__organiser"


class Trade(BaseModel):
    """One trade (工种) a competition covers."""

    competition = models.ForeignKey(
        Competition, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="trades"
    )
    name = models.CharField(_("工种"), max_length=100)

    objects = TradeQuerySet.as_manager()

    class Meta:
        ordering = ["competition_id", "name"]
        verbose_name = _("竞赛工种")
        verbose_name_plural = _("竞赛工种")
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="%(app_label)s_%(class)s_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CompetitionEntryQuerySet(ScopedQuerySet):
    org_field = "org"

    def visible_to(self, user, action: str = Action.VIEW):
        """Entries of events the user's scope organises (any action), and, for viewing, the entries of the
        user's own organisations."""
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        organised = within("competition__organiser__path", paths, self.db)
        if action != Action.VIEW:
            return self.filter(organised)
        return self.filter(organised | within("org__path", paths, self.db))


class CompetitionEntry(BaseModel):
    """One participant in one trade of a competition, with his or her result once recorded."""

    competition = models.ForeignKey(
        Competition, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="entries"
    )
    trade = models.ForeignKey(Trade, verbose_name=_("工种"), on_delete=models.PROTECT, related_name="entries")
    org = models.ForeignKey(Organisation, verbose_name=_("参赛单位"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "talent.Person",
        verbose_name=_("人才库人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competition_entries",
    )
    name = models.CharField(_("姓名"), max_length=50)
    score = models.DecimalField(
        _("成绩"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=10, choices=Award.choices, blank=True)

    objects = CompetitionEntryQuerySet.as_manager()

    class Meta:
        ordering = ["trade__name", "rank", "name", "pk"]
        verbose_name = _("参赛人员")
        verbose_name_plural = _("参赛人员")
        constraints = [
            models.UniqueConstraint(
                fields=["trade", "person"],
                condition=Q(person__isnull=False),
                name="%(app_label)s_%(class)s_person_once_per_trade",
            ),
            models.UniqueConstraint(
                fields=["trade", "org", "name"],
                condition=Q(person__isnull=True),
                name="%(app_label)s_%(class)s_name_once_per_trade",
            ),
        ]

    def __str__(self) -> str:
        # Audit rows name entries by number only: a name is personal data.
        return _("参赛记录%(pk)s") % {"pk": self.pk}

    @property
    def is_winner(self) -> bool:
        return bool(self.award)


class OutcomeQuerySet(ScopedQuerySet):
    org_field = "entry__org"

    def visible_to(self, user, action: str = Action.VIEW):
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        organised = within("entry__competition__organiser__path", paths, self.db)
        if action != Action.VIEW:
            return self.filter(organised)
        return self.filter(organised | within("entry__org__path", paths, self.db))


class Outcome(BaseModel):
    """What one result brought the participant: a skill level, a title, an honour or a pay rise."""

    entry = models.ForeignKey(
        CompetitionEntry, verbose_name=_("参赛记录"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=OutcomeKind.choices)
    skill_level = models.CharField(_("晋升至"), max_length=20, choices=SkillLevel.choices, blank=True)
    previous_level = models.CharField(_("原技能等级"), max_length=20, choices=SkillLevel.choices, blank=True)
    title = models.CharField(_("称号"), max_length=100, blank=True)
    honour = models.ForeignKey(
        "talent.Honour", verbose_name=_("荣誉"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pay_amount = models.DecimalField(_("每月增加（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    pay_percent = models.DecimalField(_("增加比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    effective_on = models.DateField(_("生效日期"))
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "kind", "pk"]
        verbose_name = _("竞赛成果")
        verbose_name_plural = _("竞赛成果")
        constraints = [
            models.UniqueConstraint(fields=["entry", "kind"], name="%(app_label)s_%(class)s_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.entry_id}）"

    def effect(self) -> str:
        """What it brought, in a few words: 高级工 → 技师, 每月增加300元, 提高5%, or the title."""
        from core.formatting import wan

        if self.skill_level:
            return f"{self.get_previous_level_display()} → {self.get_skill_level_display()}"
        if self.pay_amount is not None:
            return _("每月增加%(n)s元") % {"n": wan(self.pay_amount)}
        if self.pay_percent is not None:
            return _("提高%(n)s%%") % {"n": wan(self.pay_percent)}
        return self.title
