# Placeholder until the roster pages land (being written now); replace the whole module.
from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("roster/", lambda request: HttpResponse("roster"), name="roster-list")]
