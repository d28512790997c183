from django.urls import path, re_path

from .views import bulletin as views_bulletin
from .views import reports as views

app_name = "reporting"

MONTH = r"(?P<month>\d{4}-\d{2})"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    re_path(r"^(?P<pk>\d+)/(?P<action>approve|return)/$", views.report_decide, name="report-decide"),
    path("<int:pk>/correct/", views.report_correct, name="report-correct"),
    path("<int:pk>/template.xlsx", views.report_template, name="report-template"),
    path("<int:pk>/upload/", views.report_upload, name="report-upload"),
    # Ranking, bulletin (通报) and dashboards
    path("targets/", views_bulletin.targets, name="targets"),
    path("bulletins/", views_bulletin.bulletin_list, name="bulletin-list"),
    re_path(rf"^bulletins/{MONTH}/$", views_bulletin.bulletin_detail, name="bulletin-detail"),
    re_path(rf"^bulletins/{MONTH}/publish/$", views_bulletin.bulletin_publish, name="bulletin-publish"),
    re_path(rf"^bulletins/{MONTH}/bulletin\.(?P<fmt>pdf|xlsx)$", views_bulletin.bulletin_file, name="bulletin-file"),
    path("dashboard/", views_bulletin.dashboard, name="dashboard"),
    path("dashboard/<slug:code>/", views_bulletin.dashboard_page, name="county-dashboard"),
    path("dashboard/<slug:code>/<slug:chart>.csv", views_bulletin.chart_download, name="chart-download"),
]
