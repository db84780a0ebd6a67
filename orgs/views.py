from django.shortcuts import render

from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import get_visible_or_404


def org_detail(request, code):
    org = get_visible_or_404(Organisation.objects, request.user, Action.ORG_VIEW, code=code)
    return render(request, "orgs/org_detail.html", {"org": org})
