"""Work that takes time, shown while it runs (issue 15): the "being prepared" page asks in the background.

A document whose PDF a worker has not rendered yet is answered with a page that says so (202), with a
progress element and a text status (notices/preparing.html). Without JavaScript its meta refresh asks the
same URL again every few seconds, as before. With htmx the page stays and polls the URL instead (HX-Request):
204 while the work goes on (nothing to swap, nothing read out again), and once it is done the ready status,
whose link the page then follows (static/js/lists.js). The download itself stays a plain request, served and
audited as ever; a poll never carries the file.
"""
from django.http import HttpResponse
from django.shortcuts import render

from portal.lists import vary

READY = "includes/progress_ready.html"


def polled(request) -> bool:
    """Whether this request is the preparing page's own poll, not a person asking for the file."""
    return bool(getattr(request, "htmx", None))


def still_running(seconds: int) -> HttpResponse:
    """The poll's answer while the work goes on: nothing to show yet, ask again in `seconds`."""
    response = HttpResponse(status=204)
    response["Retry-After"] = str(seconds)
    return vary(response)


def ready(request) -> HttpResponse:
    """The poll's answer once the work is done: the status that says so, with the link to the file."""
    return vary(render(request, READY, {"url": request.get_full_path()}))
