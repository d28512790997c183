"""Read-only views of the payment rows for the city administrator: money moves through the services only."""

from django.contrib import admin

from .models import PaymentBatch, PaymentLine, PaymentRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    list_display = ("source", "reference", "payee_name", "amount", "status", "paid_on", "created_at")
    list_filter = ("status", "source")
    search_fields = ("reference",)
    # Sensitive: shown masked on the payment pages only.
    exclude = ("payee_id_number", "account_number", "proposed_account_number")


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    fields = ("number", "request", "amount", "result", "paid_on", "bank_reference", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "line_count", "total_amount", "paid_amount", "failed_amount", "created_at")
    list_filter = ("status",)
    search_fields = ("number",)
    inlines = [PaymentLineInline]
