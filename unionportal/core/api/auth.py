from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from unionportal.accounts.roles import role_label
from unionportal.accounts.security import requires_two_factor
from unionportal.core.api.errors import ErrorSerializer


class ViewModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, reads included: listing organisations needs ``view_organisation``."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name", "organisation", "roles"]

    def get_organisation(self, user) -> dict | None:
        org = user.organisation
        return {"id": org.pk, "code": org.code, "name": org.name} if org else None

    @extend_schema(responses=RoleSerializer(many=True))
    def get_roles(self, user) -> list[dict]:
        return [{"code": code, "label": role_label(code)} for code in sorted(user.role_codes)]


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in account: name, organisation node and roles."""
    return Response(MeSerializer(request.user).data)


class TokenRequestSerializer(AuthTokenSerializer):
    # As long as a username can be: longer input is refused here, before the lockout records it (varchar 255).
    username = serializers.CharField(max_length=150, write_only=True)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    otp_token = serializers.CharField(required=False, allow_blank=True, max_length=6)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


@extend_schema(
    request=TokenRequestSerializer, responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer}
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def obtain_token(request):
    """A token for programs, from a username and password (and the authenticator code where two-factor applies).

    Sign-in failures count towards the same per-username-and-address lock as the web form.
    """
    serializer = TokenRequestSerializer(data=request.data, context={"request": request})
    if not serializer.is_valid():
        # django-axes marks the request it refused to authenticate; say so, as the web form's lockout page does.
        if getattr(request, "axes_locked_out", False):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            message = _("Too many failed sign-ins: this account is locked here. Try again in %(minutes)s minutes.")
            return Response(
                {"code": "locked", "message": message % {"minutes": minutes}}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        raise ValidationError(serializer.errors)
    user = serializer.validated_data["user"]
    two_factor = user_has_device(user) or requires_two_factor(user)
    if two_factor and match_token(user, serializer.validated_data.get("otp_token") or "") is None:
        raise ValidationError({"otp_token": [_("Enter the current code from your authenticator app.")]})
    token, _created = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})
