"""Reads of the assessment app that carry a rule: which results a person may see, score cards, rankings,
the provincial summary, a rater's work list, and the home page's to-dos and rounds in progress.

Who sees what:
- the reform office (Action.ASSESS_MANAGE) sees every round and its latest computation;
- an organisation's people (VIEW on it, e.g. its reporter or its union) see its score card once the
  round is published, and only the published computation;
- a rater sees the participants and criteria they were assigned, to rate them (not their scores);
- the leading group (LEADER, DEPT_VIEWER) sees published rankings within their scope.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessment.choices import GRADE_ORDER, SCORED_KINDS, AppealStatus, CriterionKind, RoundStatus
from assessment.models import (
    Appeal,
    Computation,
    Criterion,
    CriterionResult,
    Dimension,
    Evidence,
    Participant,
    RaterAssignment,
    Rating,
    Result,
    Round,
)
from assessment.scoring import NORMALISATION_TEXT, scale_dimension
from assessment.services import assigned, rates_own
from core import deadlines
from core.formatting import day_label
from core.registry import RoundProgress, Todo
from orgs.choices import Action
from orgs.scoping import can, granted_paths, has_action, is_office, within

PUBLISHED_STATES = (RoundStatus.PUBLISHED, RoundStatus.LOCKED)


def runs_assessment(user) -> bool:
    """Whether `user` runs the assessment: an office member holding ASSESS_MANAGE (the office's administrators).

    Not a second meaning of "office" (that is orgs.scoping.is_office): an office reviewer is in the office
    but does not run rounds, so office-only assessment pages answer them 403, and everyone else 404.
    """
    return is_office(user) and has_action(user, Action.ASSESS_MANAGE)


def rounds_visible(user) -> QuerySet[Round]:
    """Rounds the user runs, rates in, or has a published result in (within their scope)."""
    rounds = Round.objects.select_related("framework")
    if runs_assessment(user):
        return rounds
    paths = granted_paths(user, Action.VIEW)
    published = Q(published__isnull=False) & within("participants__org__path", paths)
    return rounds.filter(published | Q(raters__user=user)).distinct()


def visible_computation(user, round_: Round) -> Computation | None:
    """The office sees the latest computation; everyone else only what was published."""
    if runs_assessment(user):
        return round_.computations.order_by("-number").first()
    return round_.published


def card_visible(user, participant: Participant) -> bool:
    """Whether `user` may read this participant's score card (see the module docstring)."""
    if runs_assessment(user):
        return True
    return participant.round.published_id is not None and can(user, Action.VIEW, participant.org)


@dataclass
class CardCriterion:
    criterion: Criterion
    result: CriterionResult | None
    evidence: list[Evidence] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)

    @property
    def detail(self) -> dict:
        return self.result.detail if self.result else {}


@dataclass
class CardDimension:
    dimension: Dimension
    raw: Decimal
    full: Decimal
    scaled: Decimal
    criteria: list[CardCriterion]


@dataclass
class ScoreCard:
    participant: Participant
    round: Round
    computation: Computation | None
    result: Result | None
    dimensions: list[CardDimension]
    bonus: list[CardCriterion]
    deductions: list[CardCriterion]
    vetoes: list[CardCriterion]
    normalisation: str = NORMALISATION_TEXT
    previous: Result | None = None  # the same organisation's published result of the year before

    @property
    def weakest(self) -> Dimension | None:
        return self.result.weakest if self.result else None


def score_card(participant: Participant, computation: Computation | None) -> ScoreCard:
    """Every dimension and criterion of one participant's result, with the data, rule, raters and evidence."""
    round_ = participant.round
    criteria = list(
        Criterion.objects.filter(dimension__framework_id=round_.framework_id)
        .select_related("dimension", "indicator")
        .order_by("dimension__sort_order", "dimension_id", "sort_order", "id")
    )
    results = {}
    result = None
    if computation is not None:
        results = {
            r.criterion_id: r for r in CriterionResult.objects.filter(computation=computation, participant=participant)
        }
        result = (
            Result.objects.filter(computation=computation, participant=participant).select_related("weakest").first()
        )
    evidence = defaultdict(list)
    for e in participant.evidence.select_related("report__period", "report__dataset").order_by("pk"):
        evidence[e.criterion_id].append(e)
    appeals = defaultdict(list)
    for a in participant.appeals.order_by("created_at"):
        appeals[a.criterion_id].append(a)
    dims: dict[int, CardDimension] = {}
    bonus, deductions, vetoes = [], [], []
    for c in criteria:
        item = CardCriterion(c, results.get(c.pk), evidence.get(c.pk, []), appeals.get(c.pk, []))
        if c.kind == CriterionKind.BONUS:
            bonus.append(item)
        elif c.kind == CriterionKind.DEDUCTION:
            deductions.append(item)
        elif c.kind == CriterionKind.VETO:
            vetoes.append(item)
        else:
            dim = dims.get(c.dimension_id)
            if dim is None:
                dim = dims[c.dimension_id] = CardDimension(c.dimension, Decimal(0), Decimal(0), Decimal(0), [])
            dim.criteria.append(item)
            if item.result is not None and item.result.applicable:
                dim.raw += item.result.points
                dim.full += item.result.max_points
    for dim in dims.values():
        dim.scaled = scale_dimension(dim.raw, dim.full, dim.dimension.points)
    previous = (
        Result.objects.filter(
            participant__org_id=participant.org_id,
            computation__round__framework__year=round_.framework.year - 1,
            computation__published_at__isnull=False,
        )
        .order_by("-computation__published_at")
        .first()
    )
    return ScoreCard(
        participant=participant, round=round_, computation=computation, result=result,
        dimensions=sorted(dims.values(), key=lambda d: (d.dimension.sort_order, d.dimension.pk)),
        bonus=bonus, deductions=deductions, vetoes=vetoes, previous=previous,
    )  # fmt: skip


def ranking(computation: Computation, *, user=None, peer_key: str | None = None) -> list[Result]:
    """Results best first (rank, then organisation code); limited to the user's scope unless office."""
    results = Result.objects.filter(computation=computation).select_related("participant__org", "weakest")
    if peer_key is not None:
        results = results.filter(participant__peer_key=peer_key)
    if user is not None and not runs_assessment(user):
        paths = granted_paths(user, Action.VIEW)
        results = results.filter(within("participant__org__path", paths))
    return list(results.order_by("rank", "participant__org__code"))


@dataclass
class Summary:
    """The provincial summary for the leading group: grades, averages by dimension and by peer group."""

    count: int
    grades: list[tuple[str, str, int]]  # (grade, label, count)
    average: Decimal | None
    dimensions: list[tuple[Dimension, Decimal | None]]  # average scaled points
    groups: list[tuple[str, int, Decimal | None, str]]  # (peer label, count, average total, best organisation)
    weakest: list[tuple[Dimension, int]]  # how many organisations have each dimension as their weakest
    vetoed: int
    appeals: int


def summary(computation: Computation) -> Summary:
    """Figures for the leading group's table, computed from the stored results (never recomputed)."""
    from assessment.choices import Grade

    results = list(Result.objects.filter(computation=computation).select_related("participant__org", "weakest"))
    count = len(results)
    grade_counts = Counter(r.grade for r in results)
    dims = list(Dimension.objects.filter(framework=computation.round.framework_id).order_by("sort_order", "id"))
    raw = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for cr in CriterionResult.objects.filter(computation=computation, applicable=True).values_list(
        "participant_id", "criterion__dimension_id", "criterion__kind", "points", "max_points"
    ):
        pid, dim_id, kind, points, full = cr
        if kind in SCORED_KINDS:
            raw[(pid, dim_id)][0] += points
            raw[(pid, dim_id)][1] += full
    dim_avgs = []
    for d in dims:
        values = [
            scale_dimension(v[0], v[1], d.points) for (pid, dim_id), v in raw.items() if dim_id == d.pk and v[1] > 0
        ]
        dim_avgs.append((d, _avg(values)))
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[r.participant.peer_label].append(r)
    group_rows = []
    for label, members in sorted(groups.items()):
        best = min(members, key=lambda r: (r.rank, r.participant.org.code))
        group_rows.append((label, len(members), _avg([m.total for m in members]), best.participant.org.name))
    weakest = Counter(r.weakest_id for r in results if r.weakest_id)
    return Summary(
        count=count,
        grades=[(g, str(Grade(g).label), grade_counts.get(g, 0)) for g in GRADE_ORDER],
        average=_avg([r.total for r in results]),
        dimensions=dim_avgs,
        groups=group_rows,
        weakest=[(d, weakest.get(d.pk, 0)) for d in dims],
        vetoed=sum(1 for r in results if r.vetoed),
        appeals=Appeal.objects.filter(participant__round=computation.round_id).count(),
    )


def _avg(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


@dataclass
class RaterTask:
    participant: Participant
    criterion: Criterion
    rating: Rating | None
    own: bool  # the rater's own organisation: shown, but cannot be rated


def rater_tasks(user, round_: Round) -> list[RaterTask]:
    """What `user` was assigned to rate in `round_`, with their rating so far."""
    assignments = list(RaterAssignment.objects.filter(round=round_, user=user).select_related("org", "criterion"))
    if not assignments:
        return []
    criteria = list(
        Criterion.objects.filter(dimension__framework_id=round_.framework_id, kind=CriterionKind.QUALITATIVE)
        .select_related("dimension")
        .order_by("dimension__sort_order", "sort_order", "id")
    )
    mine = {(r.participant_id, r.criterion_id): r for r in Rating.objects.filter(participant__round=round_, rater=user)}
    tasks = []
    for participant in round_.participants.select_related("org").order_by("org__path"):
        own = rates_own(user, participant.org)
        for criterion in criteria:
            if assigned(user, participant, criterion, assignments=assignments):
                tasks.append(RaterTask(participant, criterion, mine.get((participant.pk, criterion.pk)), own))
    return tasks


def may_rate(user, participant: Participant, criterion: Criterion) -> bool:
    return assigned(user, participant, criterion) and not rates_own(user, participant.org)


def pending_appeals(round_: Round) -> QuerySet[Appeal]:
    return Appeal.objects.filter(participant__round=round_, status=AppealStatus.PENDING).select_related(
        "participant__org", "criterion", "filed_by"
    )


def grade_label(grade: str) -> str:
    from assessment.choices import Grade

    return str(Grade(grade).label) if grade in Grade.values else ""


def participants_for_user(user) -> QuerySet[Participant]:
    """Participants of published rounds whose organisation the user may view (their own score cards)."""
    return (
        Participant.objects.visible_to(user)
        .filter(round__published__isnull=False)
        .select_related("round__framework", "org")
        .order_by("-round__framework__year", "org__path")
    )


# --- The home page: what a person should do in the assessment, and the round in progress -----------

# Itemised up to this many self-assessments to submit; more (a union for its enterprises) are counted per round.
TODOS_ITEMISED = 5
SELF_MANY = gettext_noop("《%(round)s》：%(n)d 家单位尚未提交自评。")
RATE_MANY = gettext_noop("《%(round)s》有 %(n)d 项定性指标待您评分。")
APPEALS_MANY = gettext_noop("《%(round)s》有 %(n)d 件申诉待答复。")


def assessment_todos(user) -> list[Todo]:
    """Self-assessments to submit (by the round's deadline), ratings to give, appeals to answer, and results
    published whose appeal window is open; through the door, in a fixed number of queries."""
    today = deadlines.today()
    found: list[Todo] = []
    if has_action(user, Action.EDIT) and not runs_assessment(user):
        waiting = list(
            Participant.objects.visible_to(user, Action.EDIT)
            .filter(round__status=RoundStatus.SELF_ASSESSMENT, self_submitted_at__isnull=True)
            .select_related("round", "org")
            .order_by("round__self_deadline", "org__path")[: TODOS_ITEMISED + 1]
        )
        if len(waiting) <= TODOS_ITEMISED:
            for participant in waiting:
                found.append(_self_todo(participant, today))
        else:
            counts = (
                Participant.objects.visible_to(user, Action.EDIT)
                .filter(round__status=RoundStatus.SELF_ASSESSMENT, self_submitted_at__isnull=True)
                .values("round_id")
                .annotate(n=Count("id"))
                .order_by("round_id")
            )
            rounds = {p.round_id: p.round for p in waiting}
            for row in counts:
                round_ = rounds.get(row["round_id"]) or Round.objects.get(pk=row["round_id"])
                found.append(Todo(
                    _(SELF_MANY) % {"round": round_.name, "n": row["n"]},
                    f"{reverse('assessment:my_results')}#self-todo",
                    _urgency(round_.self_deadline, today),
                    round_.self_deadline,
                ))  # fmt: skip
    for round_ in Round.objects.filter(status=RoundStatus.RATING, raters__user=user).distinct():
        left = sum(1 for task in rater_tasks(user, round_) if task.rating is None and not task.own)
        if left:
            found.append(Todo(
                _(RATE_MANY) % {"round": round_.name, "n": left},
                reverse("assessment:rating_tasks", args=[round_.pk]), 0,
            ))  # fmt: skip
    if runs_assessment(user):
        for round_ in Round.objects.filter(status=RoundStatus.PUBLISHED):
            pending = pending_appeals(round_).count()
            if pending:
                found.append(Todo(
                    _(APPEALS_MANY) % {"round": round_.name, "n": pending},
                    reverse("assessment:round_appeals", args=[round_.pk]), 0, round_.appeal_deadline,
                ))  # fmt: skip
    return found


def _urgency(due, today) -> int:
    return 0 if due is not None and (due - today).days <= 3 else 1


def _self_todo(participant: Participant, today) -> Todo:
    round_ = participant.round
    names = {"round": round_.name, "org": participant.org.display_name}
    if round_.self_deadline is None:
        text = _("《%(round)s》：请提交%(org)s的自评说明和佐证材料。") % names
    elif round_.self_deadline < today:
        text = _("《%(round)s》：%(org)s的自评已过截止日期 %(day)s，请尽快提交。") % {
            **names,
            "day": day_label(round_.self_deadline),
        }
    else:
        text = _("《%(round)s》：请于 %(day)s 前提交%(org)s的自评说明和佐证材料。") % {
            **names,
            "day": day_label(round_.self_deadline),
        }
    url = reverse("assessment:self_assessment", args=[participant.pk])
    return Todo(text, url, _urgency(round_.self_deadline, today), round_.self_deadline)


def assessment_rounds(user) -> list[RoundProgress]:
    """For the office that runs the assessment: each round not yet locked, its stage and how far it is."""
    if not runs_assessment(user):
        return []
    found = []
    for round_ in Round.objects.exclude(status=RoundStatus.LOCKED).select_related("framework").order_by("-id")[:3]:
        participants = round_.participants.count()
        if round_.status == RoundStatus.SELF_ASSESSMENT:
            done = round_.participants.filter(self_submitted_at__isnull=False).count()
            label, due = _("已提交自评"), round_.self_deadline
        elif round_.status == RoundStatus.PUBLISHED:
            done = (
                participants
                - Appeal.objects.filter(participant__round=round_, status=AppealStatus.PENDING)
                .values("participant")
                .distinct()
                .count()
            )
            label, due = _("无待答复申诉"), round_.appeal_deadline
        else:
            done = round_.participants.filter(ratings__isnull=False).distinct().count()
            label, due = _("已有评分"), None
        found.append(RoundProgress(
            title=round_.name, stage=round_.get_status_display(), url=round_.get_absolute_url(),
            done=done, expected=participants, done_label=label, due=due,
        ))  # fmt: skip
    return found
