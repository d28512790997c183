from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from unionportal.accounts.roles import role_label


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
