from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/export/", views.batch_export, name="batch-export"),
    path("batches/<int:pk>/sent/", views.batch_mark_sent, name="batch-sent"),
    path("batches/<int:pk>/cancel/", views.batch_cancel, name="batch-cancel"),
    path("batches/<int:pk>/result/", views.batch_result, name="batch-result"),
    path("failed/", views.request_failed_list, name="request-failed-list"),
    path("requests/<int:pk>/correct/", views.request_correct, name="request-correct"),
    path("requests/<int:pk>/confirm/", views.request_confirm, name="request-confirm"),
]
