from rest_framework import serializers, viewsets
from rest_framework.pagination import CursorPagination

from unionportal.accounts.scope import ScopedQuerysetMixin
from unionportal.core.api import ViewModelPermissions

from .models import Organisation, parent_id_subquery


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
