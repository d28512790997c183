from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from unionportal.accounts.security import client_ip

from ..claims import public
from ..forms import StatusForm


@never_cache
def status_check(request):
    """Anyone may ask, by POST only; the answer shows the status and the promised date, nothing personal."""
    form = StatusForm(request.POST or None)
    answer, refused, asked = None, False, False
    if request.method == "POST" and form.is_valid():
        asked = True
        data = form.cleaned_data
        if not public.limits_allow(address=client_ip(request), id_number=data["id_number"]):
            refused = True
        else:
            answer = public.claim_status(number=data["number"], id_number=data["id_number"])
        # The ID number is not written back into the page (a shared counter screen, a phone's history).
        form = StatusForm(initial={"number": data["number"]})
    response = render(
        request,
        "mutualaid/status_check.html",
        {"form": form, "answer": answer, "asked": asked, "refused": refused,
         "retry_minutes": settings.STATUS_CHECK_WINDOW_MINUTES,
         "title": _("Check a claim")},
    )  # fmt: skip
    if refused:
        response.status_code = 429
    return response
