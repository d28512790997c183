from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from unionportal.accounts import audit
from unionportal.core.api.auth import ViewModelPermissions
from unionportal.core.api.errors import ErrorSerializer
from unionportal.core.display import mask_identifier
from unionportal.org.models import Organisation, parent_id_subquery
from unionportal.org.scope import ScopedQuerysetMixin, scope_queryset

from .models import Member
from .validators import validate_id_number


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "kind", "depth", "parent", "is_active"]


class TreeOrderPagination(CursorPagination):
    ordering = "path"


class OrganisationViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The organisation tree as far as the caller may see it."""

    queryset = Organisation.objects.annotate(parent_id=parent_id_subquery())
    serializer_class = OrganisationSerializer
    permission_classes = [ViewModelPermissions]
    pagination_class = TreeOrderPagination


class LookupRequestSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=20)
    reveal = serializers.BooleanField(default=False)

    def validate_id_number(self, value):
        try:
            return validate_id_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class MemberFoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member_number = serializers.CharField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    union = serializers.CharField(source="organisation.name")
    status = serializers.CharField()


@extend_schema(
    request=LookupRequestSerializer,
    responses={200: MemberFoundSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
)
@api_view(["POST"])
def member_lookup(request):
    """Find a member by ID number (in the body, never the URL) within the caller's scope; masked unless
    ``reveal`` is asked by someone allowed to, and then the reveal is logged."""
    if not request.user.has_perm("members.view_member"):
        raise PermissionDenied
    query = LookupRequestSerializer(data=request.data)
    query.is_valid(raise_exception=True)
    reveal = query.validated_data["reveal"]
    if reveal and not request.user.has_perm("accounts.reveal_sensitive"):
        raise PermissionDenied
    member = (
        scope_queryset(Member.objects.select_related("organisation"), request.user)
        .filter(id_number=query.validated_data["id_number"])
        .first()
    )
    if member is None:
        raise NotFound
    if reveal:
        audit.log_reveal(actor=request.user, instance=member, field="id_number")
    data = MemberFoundSerializer(member).data
    if not reveal:
        data["id_number"] = mask_identifier(member.id_number)
    data["phone"] = mask_identifier(member.phone) if member.phone else ""
    return Response(data)
