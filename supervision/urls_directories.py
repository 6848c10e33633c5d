"""The directories of 双随机 (issue 14): 监管对象库 and 执法检查人员库, each a regulator organisation's own."""
from django.urls import path

from supervision import web_directories as views

urlpatterns = [
    path("desk/entities/", views.entity_directory, name="entity-directory"),
    path("desk/entities/export.xlsx", views.entity_directory_export, name="entity-directory-export"),
    path("desk/inspectors/", views.inspector_directory, name="inspector-directory"),
    path("desk/inspectors/add/", views.inspector_add, name="inspector-add"),
    path("desk/inspectors/<int:inspector_id>/", views.inspector_detail, name="inspector-detail"),
    path("desk/inspectors/<int:inspector_id>/active/", views.inspector_active, name="inspector-active"),
    path("desk/inspectors/<int:inspector_id>/conflicts/", views.inspector_conflict_add, name="inspector-conflict-add"),
]
