from django.urls import path

from . import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.discrepancy_list, name="discrepancy-list"),
]
