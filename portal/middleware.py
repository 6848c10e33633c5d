"""Small response fixes that apply to every page."""
from django.template.loader import render_to_string


class NotAllowedPageMiddleware:
    """A page opened with the wrong method (a step's address typed or bookmarked) explains itself.

    Django's require_POST answers 405 with an empty body; people get a Chinese page instead.
    The API keeps its JSON answers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            response.content = render_to_string("405.html", request=request).encode()
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
