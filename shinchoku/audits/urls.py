from django.urls import path

from shinchoku.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_new, name="new"),
    path("remind/", views.remind, name="remind"),
    path("<int:pk>/", views.audit_detail, name="detail"),
    path("<int:pk>/findings/new/", views.finding_new, name="finding-new"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding-edit"),
    path("findings/<int:pk>/respond/", views.finding_respond, name="respond"),
    path("findings/<int:pk>/plan-nodes/", views.finding_link_nodes, name="link-nodes"),
    path("responses/<int:pk>/approve/", views.response_review, {"action": "approve"}, name="approve"),
    path("responses/<int:pk>/return/", views.response_review, {"action": "return"}, name="return"),
    path("responses/<int:pk>/evidence/", views.response_evidence, name="evidence"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("follow-up/", views.follow_up, name="follow-up"),
    path("follow-up.xlsx", views.follow_up_xlsx_view, name="follow-up-xlsx"),
    path("follow-up.pdf", views.follow_up_pdf_view, name="follow-up-pdf"),
]
