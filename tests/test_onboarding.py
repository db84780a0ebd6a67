"""Issue "onboarding a real province" end to end, in small: from a database holding only what the install leaves
(the root, the office's administrator, the data sets of the migrations) and the office's three spreadsheets (the
tree, the people, two past years of figures), the province works: every organisation under the parent its row
names, every person awaiting activation with the role the file gives, every report accepted with its source, and
analytics totals equal to the file's column sums. The same code as `bench/onboarding.py` at full size."""

from __future__ import annotations

import pytest

from bench import onboarding
from core import audit
from core.actor import Actor
from core.models import AuditEntry
from orgs import services
from orgs.choices import Role
from orgs.models import Organisation
from orgs.tests.factories import make_user
from reporting.tests.factories import load_workforce

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    load_workforce()
    assert not Organisation.objects.exists()
    root = services.root_create(by=Actor.system("create_root"), code="530000", name="云南省")
    return make_user("office_admin", role=Role.OFFICE_ADMIN, org=root)


def test_an_empty_province_is_onboarded_from_three_spreadsheets(office, tmp_path, settings):
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    files = onboarding.province_files("530000", unions=3, enterprises=3, subsidiaries=2, people=10)
    assert (len(files.parents), len(files.accounts), files.figure_rows) == (31, 10, 36)

    seconds = onboarding.onboard(office, files, tmp_path)

    assert set(seconds) == {"tree", "people", "figures"}
    assert onboarding.accounted(files) == {"tree": True, "people": True, "figures": True, "analytics": True}
    assert audit.verify(anchor=None).intact
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"orgs.import.apply", "accounts.people_import.apply", "reporting.history.apply"} <= events


def test_the_check_of_every_row_finds_a_missing_one(office, tmp_path):
    files = onboarding.province_files("530000", unions=2, enterprises=2, subsidiaries=1, people=4)
    onboarding.onboard(office, files, tmp_path)
    Organisation.objects.filter(code="E01001S1").update(name="x")  # harmless: still accounted for
    assert onboarding.accounted(files)["tree"]
    files.parents["E09999"] = "U01"  # a row the province does not hold
    files.totals[2019] += 1
    checks = onboarding.accounted(files)
    assert (checks["tree"], checks["analytics"]) == (False, False)
