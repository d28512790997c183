"""Give an account a role from the command line: the first security administrators of an installation.

On the portal a role is granted by a security administrator, and the auditor's and security administrator's
roles need a second one; an installation that has none yet starts here (the operator at the server is the
second person). The grant is audited with no actor, as a command-line action.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from unionportal.accounts import audit
from unionportal.accounts.roles import ROLES


class Command(BaseCommand):
    help = "Grant a role to an account (bootstrap of the first security administrators)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(code for code, role in ROLES.items() if role.staff))

    def handle(self, username, role, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username}.")
        user.groups.add(Group.objects.get(name=role))
        audit.log_event(actor=None, instance=user, kind=audit.ROLES, added=[role], removed=[])
        self.stdout.write(f"{username} now holds the role {role}.")
