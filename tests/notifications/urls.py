"""The portal's URLs plus the outbox's, for as long as the root urlconf does not include them itself."""

from django.urls import include, path

from unionportal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    *(pattern for pattern in portal_urlpatterns if str(pattern.pattern) != "notifications/"),
    path("notifications/", include("unionportal.notifications.urls")),
]
