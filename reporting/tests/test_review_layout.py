"""The review page of a submitted report puts the data before the actions in the document, so on a phone
(where the columns stack in document order) a reviewer scrolls through what they approve before reaching
审核通过; from xl on the actions column is ordered beside the facts (tests/browser/test_reporting_board.py
measures both widths)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.choices import Role
from reporting.tests.factories import submitted_report


@pytest.mark.parametrize("role", [Role.UNION_ADMIN, Role.OFFICE_REVIEWER])
def test_the_data_comes_before_the_review_actions(client, tree, wf, role):
    report = submitted_report(tree, wf[0])
    reviewer = tree.user(role, tree.union_a if role == Role.UNION_ADMIN else tree.province)
    client.force_login(reviewer)

    body = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()

    data = body.index('id="review-data"')
    first_section = body.index('class="card mb-3 grid-section')
    actions = body.index('id="actions"')
    first_button = min(i for i in (body.find(">审核通过<"), body.find(">验收<"), body.find(">退回<")) if i >= 0)
    assert data < first_section < actions < first_button
    # The facts come first, and from xl on the actions column is ordered beside them, the data below both.
    assert body.index('id="review-facts"') < data
    assert 'id="review-facts"' in body and "order-xl-1" in body[body.index('id="review-facts"') - 80 : data]
    assert 'class="col-12 col-xl-4 order-xl-2" id="review-actions"' in body
    assert 'class="col-12 order-xl-3" id="review-data"' in body
