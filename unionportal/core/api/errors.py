"""The JSON API's errors: always ``{"code": ..., "message": ...}`` in the request's language (Chinese by default),
with ``fields`` for invalid input, so a mobile client can show the message as it is."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

MESSAGES = {
    status.HTTP_400_BAD_REQUEST: ("invalid", lambda: _("Some fields are missing or not valid.")),
    status.HTTP_401_UNAUTHORIZED: ("not_authenticated", lambda: _("Please sign in first.")),
    status.HTTP_403_FORBIDDEN: ("forbidden", lambda: _("Your account may not do this.")),
    status.HTTP_404_NOT_FOUND: ("not_found", lambda: _("Not found.")),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("method_not_allowed", lambda: _("This method is not allowed here.")),
    status.HTTP_429_TOO_MANY_REQUESTS: ("throttled", lambda: _("Too many requests. Please try again later.")),
}


def handle(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging take it
    code, message = MESSAGES.get(response.status_code, ("error", lambda: _("The request could not be handled.")))
    if getattr(exc, "says_why", False):  # a refusal whose own words tell the client what to do
        code, message = exc.default_code, lambda: str(exc.detail)
    body = {"code": code, "message": message()}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["fields"] = {name: [str(m) for m in messages] for name, messages in exc.detail.items()}
    return Response(body, status=response.status_code, headers=response.headers)


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer, for the schema."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
