"""Test data for the studios: people of the talent pool, studios with a naming, results, alliances, reviews."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from studios.choices import MemberRole, ReviewStatus, StudioKind, StudioLevel
from studios.models import Alliance, Studio, StudioMember, StudioNaming, StudioResult, StudioReview
from talent.models import Person

_seq = itertools.count(1)


def make_person(org, name: str = "", **fields) -> Person:
    defaults = {"gender": "male", "occupation": "变电检修工", "skill_level": "senior_technician"}
    return Person.objects.create(org=org, name=name or f"人员{next(_seq)}", **{**defaults, **fields})


def make_studio(org, *, leader=None, level=StudioLevel.ENTERPRISE, named_on=dt.date(2020, 5, 1), name: str = "",
                kind=StudioKind.MODEL_WORKER, **fields) -> Studio:  # fmt: skip
    leader = leader or make_person(org)
    studio = Studio.objects.create(
        org=org, name=name or f"工作室{next(_seq)}", kind=kind, level=level, named_on=named_on, leader=leader,
        **fields,
    )  # fmt: skip
    StudioNaming.objects.create(studio=studio, level=level, named_on=named_on)
    StudioMember.objects.create(studio=studio, person=leader, role=MemberRole.CORE, joined_on=named_on)
    return studio


def raise_to(studio: Studio, level: str, on: dt.date) -> Studio:
    StudioNaming.objects.create(studio=studio, level=level, named_on=on)
    Studio.objects.filter(pk=studio.pk).update(level=level, named_on=on)
    studio.refresh_from_db()
    return studio


def make_result(
    studio: Studio, *, kind="method", value=None, achieved_on=dt.date(2021, 6, 1), title=""
) -> StudioResult:
    result = StudioResult.objects.create(
        studio=studio, kind=kind, title=title or f"成果{next(_seq)}", achieved_on=achieved_on,
        value=Decimal(value) if value is not None else None, reference="ZL2021" if kind == "patent" else "",
    )  # fmt: skip
    result.credited.set([studio.leader])
    return result


def make_alliance(lead: Studio, *others: Studio, name: str = "") -> Alliance:
    alliance = Alliance.objects.create(name=name or f"联盟{next(_seq)}", founded_on=dt.date(2021, 3, 1), lead=lead)
    alliance.studios.set([lead, *others])
    return alliance


def make_review(
    studio: Studio, year: int = 2021, status=ReviewStatus.DRAFT, summary: str = "全年攻关课题三项"
) -> StudioReview:
    return StudioReview.objects.create(studio=studio, year=year, status=status, summary=summary)


def fuzz_paths(tree) -> dict[str, dict[str, int]]:
    """A studio of 昆明供电局 with a result, an alliance led by it and a review, for the API fuzz run's paths."""
    studio = make_studio(tree.ent_a1, name="越权探测工作室")
    result = make_result(studio, value="1000")
    alliance = make_alliance(studio, make_studio(tree.ent_b1), name="越权探测联盟")
    review = make_review(studio)
    return {
        "/api/v1/studios/studios/": {"id": studio.pk},
        "/api/v1/studios/results/": {"id": result.pk},
        "/api/v1/studios/alliances/": {"id": alliance.pk},
        "/api/v1/studios/reviews/": {"id": review.pk},
    }


def idor_objects(orgs: dict) -> dict[str, dict[str, int]]:
    """For the IDOR probes (core/tests/test_idor_pages.py): per place, a studio with a member, a result, a review
    and an alliance whose studios are all of that place (so it is foreign wherever the place is)."""
    found: dict[str, dict] = {k: {} for k in ("studio", "studio_member", "studio_result", "studio_review",
                                              "studio_review_step", "studio_alliance")}  # fmt: skip
    for where, org in orgs.items():
        studio = make_studio(org, name=f"越权探测工作室{where}")
        found["studio"][where] = studio.pk
        found["studio_member"][where] = studio.members.get().pk
        found["studio_result"][where] = make_result(studio, value="100").pk
        found["studio_review"][where] = make_review(studio).pk
        found["studio_review_step"][where] = "submit"
        found["studio_alliance"][where] = make_alliance(studio, make_studio(org), name=f"越权探测联盟{where}").pk
    return found
