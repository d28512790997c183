from django.urls import path, re_path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    re_path(r"^(?P<pk>\d+)/(?P<action>approve|return)/$", views.report_decide, name="report-decide"),
    path("<int:pk>/correct/", views.report_correct, name="report-correct"),
    path("<int:pk>/template.xlsx", views.report_template, name="report-template"),
    path("<int:pk>/upload/", views.report_upload, name="report-upload"),
]
