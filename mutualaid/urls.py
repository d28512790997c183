from django.urls import path, re_path

from .views import claims as views
from .views import enrolment, figures, mine, public

app_name = "mutualaid"

urlpatterns = [
    path("status/", public.status_check, name="status-check"),
    path("my/claims/", mine.my_claims, name="my-claims"),
    path("my/claims/<str:number>/", mine.my_claim_detail, name="my-claim-detail"),
    path("my/claims/<str:number>/withdraw/", mine.my_claim_withdraw, name="my-claim-withdraw"),
    path("my/cover/", mine.my_cover, name="my-cover"),
    path("my/estimate/", mine.my_estimate, name="my-estimate"),
    path("queue/", views.queue, name="queue"),
    path("figures/", figures.figures, name="figures"),
    re_path(r"^claims/(?P<pk>\d+)/(?P<action>assess|approve|return|reject)/$", views.claim_decide, name="claim-decide"),
    path("estimate/<int:member_pk>/", views.claim_estimate, name="estimate"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/new/<int:member_pk>/", views.claim_create, name="claim-create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/materials/", views.claim_materials, name="claim-materials"),
    path("claims/<int:pk>/documents/", views.claim_document_upload, name="claim-document-upload"),
    path("claims/<int:pk>/accept/", views.claim_accept_checked, name="claim-accept"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim-withdraw"),
    path("claims/<int:pk>/print/result/", views.claim_print, {"document": "result"}, name="claim-result"),
    path("claims/<int:pk>/documents/<int:document_pk>/", views.claim_document, name="claim-document"),
    path("claims/<int:pk>/print/receipt/", views.claim_print, {"document": "receipt"}, name="claim-receipt"),
    path("claims/<int:pk>/print/checklist/", views.claim_print, {"document": "checklist"}, name="claim-checklist"),
    path("enrolment/", enrolment.batch_list, name="enrolment-list"),
    path("enrolment/new/", enrolment.batch_create, name="enrolment-create"),
    path("enrolment/<int:pk>/", enrolment.batch_detail, name="enrolment-detail"),
    path("enrolment/<int:pk>/pay/", enrolment.batch_pay, name="enrolment-pay"),
    path("enrolment/renewals/", enrolment.renewal_sheet, name="renewal-sheet"),
]
