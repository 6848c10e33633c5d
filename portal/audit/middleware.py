"""Makes the request available to signal receivers and records every refusal (403).

A 403 reaches here however it was made: PermissionDenied in a view (converted by Django's
handler), a DRF permission check, the CSRF check, the second-factor gate for the API.
404s served for objects a user may not see are not recorded: they look like any other 404.
"""
from portal import audit


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit._current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            audit._current_request.reset(token)
        if response.status_code == 403:
            _record_refusal(request)
        return response


def _record_refusal(request):
    from portal.models import AuditAction, AuditOutcome

    match = getattr(request, "resolver_match", None)
    kwargs = {key: str(value) for key, value in (getattr(match, "kwargs", None) or {}).items()}
    audit.record(request, AuditAction.PERMISSION_DENIED, None, AuditOutcome.DENIED,
                 view=getattr(match, "view_name", "") or "", view_kwargs=kwargs)
