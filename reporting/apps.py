from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Monthly figures")

    def ready(self):
        # Each app registers the figures it computes in its own indicators.py (unionportal/core/indicators.py).
        autodiscover_modules("indicators")
        from unionportal.accounts import audit
        from unionportal.org import registry

        registry.register_path_copy(self.get_model("MonthlyReport"), "org_path")

        for name in ("Indicator", "CheckRule", "Catalogue", "CatalogueEntry", "ReportRevision"):
            audit.register(self.get_model(name), exclude_fields=["created_at", "updated_at"])
        audit.register(self.get_model("MonthlyReport"), exclude_fields=["org_path", "created_at", "updated_at"])
        audit.register(self.get_model("ReportLine"))
        audit.register(self.get_model("RankingRule"), exclude_fields=["created_at", "updated_at"],
                       m2m_fields={"growth_indicators"})  # fmt: skip
        audit.register(self.get_model("Target"), exclude_fields=["created_at", "updated_at"])
        audit.register(self.get_model("Bulletin"), exclude_fields=["created_at", "data"])
        from . import notices

        notices.register()
