from django.urls import path

from .views import drive, members, roster
from .views import organisations as org_views

app_name = "members"

urlpatterns = [
    path("organisations/", org_views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", org_views.organisation_detail, name="organisation-detail"),
    *members.urlpatterns,
    *roster.urlpatterns,
    *drive.urlpatterns,
]
