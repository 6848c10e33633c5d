from django.urls import include, path

from licensing import views
from licensing.web import applicant, detail, officer, public, window

urlpatterns = [
    path("", public.home, name="home"),
    path("items/", views.catalogue, name="catalogue"),
    path("items/<str:code>/", views.item_guide, name="item-guide"),
    # the applicant's own pages
    path("items/<str:code>/apply/", applicant.apply, name="apply"),
    path("my/applications/", applicant.my_applications, name="my-applications"),
    path("my/applicants/", applicant.my_applicants, name="my-applicants"),
    # one application: the page, and the applicant side's steps (applicant accounts and the window clerk)
    path("applications/<str:number>/", detail.application_detail, name="web-application-detail"),
    path("applications/<str:number>/commit/", applicant.commit, name="web-application-commit"),
    path("applications/<str:number>/materials/<int:material_id>/", applicant.material_upload,
         name="web-application-material-upload"),
    path("applications/<str:number>/materials/<int:material_id>/file/", detail.material_file,
         name="web-application-material-file"),
    path("applications/<str:number>/materials/<int:material_id>/files/<int:file_id>/", detail.material_file,
         name="web-application-material-file-version"),
    path("applications/<str:number>/choose-ordinary/", applicant.choose_ordinary, name="web-application-choose-ordinary"),
    path("applications/<str:number>/withdraw/", applicant.withdraw, name="web-application-withdraw"),
    path("applications/<str:number>/resubmit/", applicant.resubmit, name="web-application-resubmit"),
    path("applications/<str:number>/declare-conditions/", applicant.declare_conditions,
         name="web-application-declare-conditions"),
    path("applications/<str:number>/correct-filing/", applicant.correct_filing, name="web-application-correct-filing"),
    # the approval officer's steps
    path("applications/<str:number>/issue-notice/", officer.issue_notice, name="web-application-issue-notice"),
    path("applications/<str:number>/decide/", officer.decide, name="web-application-decide"),
    path("applications/<str:number>/accept/", officer.accept, name="web-application-accept"),
    path("applications/<str:number>/request-correction/", officer.request_correction,
         name="web-application-request-correction"),
    path("applications/<str:number>/approve/", officer.approve, name="web-application-approve"),
    path("applications/<str:number>/reject/", officer.reject, name="web-application-reject"),
    path("applications/<str:number>/revoke/", officer.revoke, name="web-application-revoke"),
    path("applications/<str:number>/forward/", officer.forward, name="web-application-forward"),
    path("applications/<str:number>/record-notice-receipt/", officer.record_notice_receipt,
         name="web-application-record-notice-receipt"),
    path("applications/<str:number>/confirm-conditions/", officer.confirm_conditions,
         name="web-application-confirm-conditions"),
    # the regulator's step on a filing (钦政发〔2019〕20号 二（四）)
    path("applications/<str:number>/mark-filing-untrue/", officer.mark_filing_untrue,
         name="web-application-mark-filing-untrue"),
    # staff desks
    path("desk/window/", window.window_desk, name="window-desk"),
    path("desk/window/applicants/<int:pk>/", window.window_applicant, name="window-applicant"),
    path("desk/window/applicants/<int:pk>/accounts/", window.window_bind_account, name="window-bind-account"),
    path("desk/window/applicants/<int:pk>/accounts/<int:claim>/verify/", window.window_claim_verify,
         name="window-claim-verify"),
    path("desk/window/applicants/<int:pk>/accounts/<int:claim>/remove/", window.window_claim_remove,
         name="window-claim-remove"),
    path("desk/window/applications/<str:number>/print/", window.window_print, name="window-print-notice-commitment"),
    path("desk/officer/", officer.officer_desk, name="officer-desk"),
    # public
    path("progress/", public.progress, name="progress"),
    path("commitments/", public.commitments, name="commitments"),
    path("", include("licensing.urls_reports")),  # issue 14: the quarterly reports
    # issue 15: start pages and dashboards, 好差评, the business-scope finder
    path("", include("licensing.urls_start")),
    path("", include("licensing.urls_ratings")),
    path("", include("licensing.urls_finder")),
    path("", include("licensing.urls_registrations")),  # issue 16: 双告知 in the enterprise's account
    path("", include("licensing.urls_oidc")),  # issue 16: sign-in through the unified identity service
]
