from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "unionportal.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from unionportal.accounts import audit
        from unionportal.org import registry

        registry.register_path_copy(self.get_model("PaymentRequest"), "org_path")
        registry.register_path_copy(self.get_model("PaymentBatch"), "org_path")

        # Payees' identifiers and bank accounts are sensitive personal information (PIPL art. 28).
        audit.register(
            self.get_model("PaymentRequest"),
            exclude_fields=["updated_at"],
            mask_fields=["payee_id_number", "account_number", "proposed_account_number"],
        )
        audit.register(self.get_model("PaymentBatch"))
        audit.register(self.get_model("PaymentLine"), mask_fields=["payee_id_number", "account_number"])
