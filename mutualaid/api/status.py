"""Mutual aid in the JSON API."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from unionportal.accounts.security import client_ip
from unionportal.core.api.errors import MESSAGES, ErrorSerializer

from ..claims import public


class StatusQuerySerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    id_number = serializers.CharField(max_length=20)


class StepSerializer(serializers.Serializer):
    day = serializers.DateField()
    label = serializers.CharField()


class StatusAnswerSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())
    steps = StepSerializer(many=True)


@extend_schema(
    request=StatusQuerySerializer,
    responses={
        200: StatusAnswerSerializer,
        400: ErrorSerializer,
        404: OpenApiResponse(ErrorSerializer, description="No claim matches the pair (or the claim does not exist)."),
        429: ErrorSerializer,
    },
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def claim_status(request):
    """The claim status check without an account: the same rules, limits and answers as the web page."""
    query = StatusQuerySerializer(data=request.data)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    if not public.limits_allow(address=client_ip(request), id_number=data["id_number"]):
        code, message = MESSAGES[status.HTTP_429_TOO_MANY_REQUESTS]
        return Response({"code": code, "message": message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    answer = public.claim_status(number=data["number"], id_number=data["id_number"])
    if answer is None:
        code, message = MESSAGES[status.HTTP_404_NOT_FOUND]
        return Response({"code": code, "message": message()}, status=status.HTTP_404_NOT_FOUND)
    return Response(StatusAnswerSerializer(answer).data)
