"""supervision's pages: the regulator's inbox (issue 9)."""
from django.urls import path

from supervision import web

urlpatterns = [
    path("supervision/inbox/", web.inbox, name="supervision-inbox"),
    path("supervision/inbox/<int:record_id>/", web.inbox_record, name="supervision-inbox-record"),
    path("supervision/inbox/<int:record_id>/ack/", web.inbox_acknowledge, name="supervision-inbox-ack"),
]
