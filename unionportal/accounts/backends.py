"""The staff authentication backend, ``RoleBackend``: Django's model backend with permissions read from the
roles declared in code, not from two permission joins on every request.

Members sign in through ``members.backends.MemberLoginBackend`` (ID number or phone), on the same page, the
same API token endpoint and the same django-axes lock.
"""

from django.contrib.auth.backends import ModelBackend

from .roles import permissions_of


class RoleBackend(ModelBackend):
    """Django's model backend (passwords, ``is_active``), with permissions taken from ``roles.ROLES``.

    ``roles.py`` is the whole truth about what a role may do: ``sync_roles`` makes each role's group hold
    exactly those permissions after every migrate, and accounts get roles (groups) only, never permissions
    of their own (the user admin offers no such field). So the set Django would assemble from
    ``auth_permission`` through two joins per request is known from the role codes alone, which the user
    already reads once per request (``User.role_codes``). A group that is not a role grants nothing.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return permissions_of(user_obj.role_codes)
