from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

NOTICE_KIND = "reconciliation.discrepancy"


class ReconciliationConfig(AppConfig):
    name = "unionportal.reconciliation"
    label = "reconciliation"
    verbose_name = _("Reconciliation")

    def ready(self):
        from unionportal.notifications import register_kind
        from unionportal.org import registry

        # A discrepancy is scoped by the path of what was found wrong: it follows a union that moves.
        registry.register_path_copy(self.get_model("Discrepancy"), "org_path")

        register_kind(
            NOTICE_KIND,
            title=_("Money does not reconcile"),
            text=_(
                "The reconciliation of %(day)s found %(count)s discrepancies: %(check)s. See the reconciliation page."
            ),
        )
        # The payments checks (this package's own reconcile.py) and each app's.
        autodiscover_modules("reconcile")
