# Placeholder until the member pages land (being written now).
from django.http import HttpResponse
from django.urls import path

urlpatterns = [
    path("", lambda request: HttpResponse("lookup"), name="member-lookup"),
    path("figures/", lambda request: HttpResponse("figures"), name="figures"),
]
