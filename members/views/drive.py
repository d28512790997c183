# Placeholder until the drive pages land (being written now); replace the whole module.
from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("drive/", lambda request: HttpResponse("drive"), name="drive-list")]
