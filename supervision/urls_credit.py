"""信用公示 and 信用修复 (issue 14): the public list, the applicant's records and requests, the authority's desk."""
from django.urls import path

from supervision import web_credit

urlpatterns = [
    path("credit/", web_credit.credit_public, name="credit-public"),
    path("my/credit/", web_credit.my_credit, name="my-credit"),
    path("my/credit/<int:record_id>/repair/", web_credit.my_credit_repair, name="my-credit-repair"),
    path("desk/credit-repairs/", web_credit.credit_repair_desk, name="credit-repair-desk"),
    path("desk/credit-repairs/<int:request_id>/", web_credit.credit_repair_request, name="credit-repair-request"),
    path("desk/credit-repairs/<int:request_id>/decide/", web_credit.credit_repair_decide, name="credit-repair-decide"),
    path("desk/credit-repairs/<int:request_id>/evidence/<int:file_id>/", web_credit.credit_repair_evidence,
         name="credit-repair-evidence"),
]
