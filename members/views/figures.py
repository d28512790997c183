# Placeholder until the membership figures page lands (being written now).
from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("figures/", lambda request: HttpResponse("figures"), name="figures")]
