"""supervision's pages: the regulator's inbox (issue 9) and its 核查工作台 (issue 10)."""
from django.urls import include, path

from supervision import web, web_inspections

urlpatterns = [
    path("supervision/inbox/", web.inbox, name="supervision-inbox"),
    path("supervision/inbox/<int:record_id>/", web.inbox_record, name="supervision-inbox-record"),
    path("supervision/inbox/<int:record_id>/ack/", web.inbox_acknowledge, name="supervision-inbox-ack"),
    path("desk/regulator/", web_inspections.regulator_desk, name="regulator-desk"),
    path("desk/regulator/export.xlsx", web_inspections.regulator_desk_export, name="regulator-desk-export"),
    path("desk/regulator/inspections/<int:inspection_id>/", web_inspections.regulator_inspection,
         name="regulator-inspection"),
    path("desk/regulator/inspections/<int:inspection_id>/assign/", web_inspections.regulator_inspection_assign,
         name="regulator-inspection-assign"),
    path("desk/regulator/inspections/<int:inspection_id>/result/", web_inspections.regulator_inspection_result,
         name="regulator-inspection-result"),
    path("desk/regulator/inspections/<int:inspection_id>/files/<int:file_id>/",
         web_inspections.regulator_inspection_file, name="regulator-inspection-file"),
    # issue 14: 双随机、一公开 and its directories, the credit record in public and its repair
    path("", include("supervision.urls_draws")),
    path("", include("supervision.urls_directories")),
    path("", include("supervision.urls_credit")),
]
