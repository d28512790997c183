"""The portal's URLs and one more, for benchmarks only: the cheapest Django view the same gunicorn can serve.

The pages measured in bench/mutualaid.py are compared with it in the same run, so the ratio says what the
page itself costs, whatever the machine.
"""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("", include("unionportal.urls")),
]
