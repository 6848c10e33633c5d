"""The admin's answers to addresses it cannot use (issue 8): its own "does not exist" message or
a Chinese 400, never a 500.

django-simple-history's history pages looked up whatever the address held ("x1" as an id: a
ValueError, a 500), and django-import-export's export took any query parameter for a filter
(an unknown field: IncorrectLookupParameters, a 500; the change list itself answers those).
"""
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

BAD_EXPORT_FILTER = _("导出的筛选条件无效，请回到列表页重新筛选后导出。")


def _is_key(field, value) -> bool:
    try:
        field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages treat an id that cannot be one as a missing object."""

    def history_view(self, request, object_id, extra_context=None):
        if not _is_key(self.opts.pk, unquote(object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_pk = getattr(self.model, self.opts.simple_history_manager_attribute).model._meta.pk
        if not (_is_key(self.opts.pk, unquote(object_id)) and _is_key(history_pk, version_id)):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ExportFiltersMixin:
    """For an import-export admin: a filter the change list would refuse is a 400 for the export too."""

    def get_export_queryset(self, request):
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            raise BadRequest(BAD_EXPORT_FILTER) from None
