from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from unionportal.accounts import audit
from unionportal.accounts.roles import role_label
from unionportal.accounts.security import requires_two_factor, sign_in_refused_here
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
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(
        help_text="When the token expires if unused; every use moves it on, up to a fixed limit after issue."
    )


@extend_schema(
    request=TokenRequestSerializer, responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer}
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def obtain_token(request):
    """A new token for programs, from a username and password (and the authenticator code where two-factor applies).

    Each call issues a new token (earlier ones stay valid until they expire or are revoked). A token unused for
    ``API_TOKEN_IDLE_HOURS`` expires; it is revoked by ``auth/logout/``, ``auth/logout-all/`` and any change of
    the account's password. Sign-in failures count towards the same per-username-and-address lock as the web form.
    """
    if refused := sign_in_refused_here(request):
        return Response({"code": "address_paused", "message": refused}, status=status.HTTP_429_TOO_MANY_REQUESTS)
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
    if user.must_change_password:
        raise ValidationError(
            {"password": [_("Your password was reset. Sign in on the portal and choose a new one first.")]}
        )
    instance, token = AuthToken.objects.create(user=user)
    audit.log_sign_in(sender=None, request=request, user=user, channel="api")
    return Response({"token": token, "expiry": instance.expiry})


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
def revoke_token(request):
    """Revoke the token this request is signed with (a program's sign-out). A browser session has none: no-op."""
    if isinstance(request.auth, AuthToken):
        request.auth.delete()
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
def revoke_all_tokens(request):
    """Revoke every token of the signed-in account (a lost phone, a leaked script)."""
    AuthToken.objects.filter(user=request.user).delete()
    return Response(status=status.HTTP_204_NO_CONTENT)
