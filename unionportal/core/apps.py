from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "unionportal.core"
    label = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from unionportal.accounts import audit

        audit.register(self.get_model("WorkdayCorrection"))
        # Each app may contribute pending items to the workbench from its own pending.py.
        autodiscover_modules("pending")
        # … and sections of the staff member page from its panels.py.
        autodiscover_modules("panels")
        # Each app lists its menu entries in its own navigation.py.
        from .navigation import discover

        discover()
