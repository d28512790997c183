from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organisations and members")

    def ready(self):
        from unionportal.accounts import audit

        # The tree's bookkeeping columns change on every insert nearby; they say nothing to an auditor.
        audit.register(
            self.get_model("Organisation"),
            exclude_fields=["path", "depth", "numchild", "created_at", "updated_at", "staff"],
        )
