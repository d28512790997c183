"""Password rules that need the account: a new password is never the one it replaces."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotCurrentPasswordValidator:
    """Refuse a "change" to the current password, and a reset back to it (issue 11, item 18).

    Compared with the stored hash through ``hashers.check_password``, which never saves: ``User.check_password``
    would upgrade an old hash in the middle of a validation. An account without a usable password (a new one)
    has nothing to compare with.
    """

    def validate(self, password, user=None):
        encoded = getattr(user, "password", "") if user is not None and user.pk else ""
        if encoded and check_password(password, encoded):
            raise ValidationError(_("The new password must differ from the current one."), code="password_unchanged")

    def get_help_text(self):
        return _("Your new password must differ from the current one.")
