from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from unionportal.accounts.scope import in_scope

from .. import selectors
from ..models import Organisation


@login_required
@permission_required("members.view_organisation", raise_exception=True)
def organisation_list(request):
    roots = list(selectors.organisation_roots_for(request.user))
    if len(roots) == 1:
        return organisation_detail(request, roots[0].pk)
    return render(request, "members/organisation_list.html", {"organisations": roots})


@login_required
@permission_required("members.view_organisation", raise_exception=True)
def organisation_detail(request, pk):
    organisation = selectors.organisation_get(request.user, pk)
    parent = Organisation.objects.get_parent(organisation)
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "parent": parent if parent and in_scope(request.user, parent.path) else None,
            "children": selectors.organisation_children(request.user, organisation),
        },
    )
