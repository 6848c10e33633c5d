"""Issue 16: sign-in through the unified identity service (OpenID Connect, licensing/oidc.py).

mozilla_django_oidc's routes, with the portal's views (settings OIDC_AUTHENTICATE_CLASS and
OIDC_CALLBACK_CLASS): both answer 404 while the service is not configured. Its logout route is left out:
the portal's own logout ends the session, and the provider keeps its own.
"""
from django.urls import include, path
from mozilla_django_oidc import urls as oidc_urls

urlpatterns = [
    path("accounts/oidc/", include([route for route in oidc_urls.urlpatterns if route.name != "oidc_logout"])),
]
