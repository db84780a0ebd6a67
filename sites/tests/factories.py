"""Test data for the demonstration sites: batches, nominations, sites with a guidance group, visits."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from core import deadlines
from sites.choices import BatchStatus, NominationStatus, SiteStatus
from sites.models import Batch, FollowUp, GuidanceGroup, Nomination, NominationFile, Site, Visit, VisitFile

_seq = itertools.count(1)

APPLICATION = {
    "goals": ["skills"],
    "goals_text": "技能人才评价",
    "achievements": "建立技能等级与薪酬挂钩办法",
    "plans": "推开企业自主评价",
    "contact_name": "李明",
    "contact_position": "工会主席",
    "contact_phone": "13812345678",
}


def make_batch(*, quota: int = 3, open_now: bool = True, **fields) -> Batch:
    today = deadlines.today()
    n = next(_seq)
    defaults = {
        "level": "provincial", "year": today.year, "name": f"测试批次{n}", "quota": quota,
        "opens_on": today - dt.timedelta(days=10),
        "closes_on": today + dt.timedelta(days=10) if open_now else today - dt.timedelta(days=1),
    }  # fmt: skip
    return Batch.objects.create(**{**defaults, **fields})


def make_group(leader, *members, name: str = "") -> GuidanceGroup:
    group = GuidanceGroup.objects.create(name=name or f"指导组{next(_seq)}", leader=leader)
    group.members.set([leader, *members])
    return group


def make_site(org, *, group=None, batch=None, status=SiteStatus.GUIDING) -> Site:
    batch = batch or make_batch(status=BatchStatus.ANNOUNCED, announced_on=dt.date(2021, 6, 18), year=2021)
    return Site.objects.create(
        org=org, batch=batch, status=status if group or status != SiteStatus.GUIDING else SiteStatus.SELECTED,
        group=group, announced_on=dt.date(2021, 6, 18), contact_name="李明", contact_phone="13812345678",
        goals=["skills"],
    )  # fmt: skip


def make_visit(site: Site, by, **fields) -> Visit:
    visit = Visit.objects.create(
        site=site, visited_on=fields.pop("visited_on", dt.date(2021, 9, 1)), findings="发现问题",
        recorded_by=by, **fields,
    )  # fmt: skip
    visit.members.set([by])
    return visit


def jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 80, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def idor_objects(orgs: dict, leader) -> dict[str, dict[str, object]]:
    """For the IDOR probes (core/tests/test_idor_pages.py): per place, a site (with a group `leader` leads, not
    the probers), a nomination, files, a visit and a follow-up."""
    group = make_group(leader, name="越权探测指导组")
    found: dict[str, dict[str, object]] = {
        k: {} for k in ("site", "site_step", "nomination", "nomination_step", "nomination_file", "visit",
                        "visit_file", "followup")
    }  # fmt: skip
    batch = make_batch()
    for where, org in orgs.items():
        site = make_site(org, group=group)
        nomination = Nomination.objects.create(batch=batch, org=org, status=NominationStatus.DRAFT, **APPLICATION)
        stored = {"original_name": f"{where}.pdf", "size": 3, "content_type": "application/pdf", "sha256": "0" * 64}
        nfile = NominationFile.objects.create(nomination=nomination, file=f"sites/{where}.pdf", **stored)
        visit = make_visit(site, leader)
        vfile = VisitFile.objects.create(visit=visit, file=f"sites/{where}-v.pdf", **stored)
        followup = FollowUp.objects.create(
            site=site, visit=visit, title="跟进", owner=org, deadline=dt.date(2021, 12, 31)
        )
        found["site"][where] = site.pk
        found["site_step"][where] = "accept"
        found["nomination"][where] = nomination.pk
        found["nomination_step"][where] = "submit"
        found["nomination_file"][where] = nfile.pk
        found["visit"][where] = visit.pk
        found["visit_file"][where] = vfile.pk
        found["followup"][where] = followup.pk
    return found


def api_objects(places: dict, leader) -> dict[str, dict[str, int]]:
    """For the API probes (core/tests/test_api_idor.py, test_api_fuzz.py): per place, a site guided by a group of
    its own (led by `leader`), a nomination, a visit, a follow-up and a rating."""
    from sites.models import SiteRating

    batch = make_batch()
    found: dict[str, dict[str, int]] = {k: {} for k in ("site", "nomination", "group", "visit", "followup", "rating")}
    for where, org in places.items():
        group = make_group(leader, name=f"探测指导组{where}{next(_seq)}")
        site = make_site(org, group=group)
        nomination = Nomination.objects.create(batch=batch, org=org, status=NominationStatus.DRAFT, **APPLICATION)
        visit = make_visit(site, leader)
        followup = FollowUp.objects.create(
            site=site, visit=visit, title="跟进", owner=org, deadline=dt.date(2021, 12, 31)
        )
        rating = SiteRating.objects.create(site=site, group=group, year=2021, scores={}, total=80, rated_by=leader)
        for kind, obj in (("site", site), ("nomination", nomination), ("group", group), ("visit", visit),
                          ("followup", followup), ("rating", rating)):  # fmt: skip
            found[kind][where] = obj.pk
    found["batch"] = {"own": batch.pk}
    return found
