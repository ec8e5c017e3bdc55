"""Every funding model for support staff, read-only: money and its history change only through the services."""

from django.contrib import admin

from schools.admin import ReadOnlyAdmin

from . import models


@admin.register(models.Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "kind", "status", "requested_amount", "approved_amount", "voucher_no"]
    list_filter = ["status", "kind", "school_year"]
    search_fields = ["school__name", "school__code", "voucher_no"]


@admin.register(models.Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "status", "allocated_amount", "delivered_amount", "difference"]
    list_filter = ["status", "outcome", "school_year"]


@admin.register(models.SpendingPlan)
class SpendingPlanAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "status", "office_meeting_date", "staff_congress_date"]
    list_filter = ["status", "school_year"]


@admin.register(models.Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "allocated", "spent"]
    list_filter = ["school_year"]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["fund", "date", "kind", "category", "amount", "voucher_no", "recorded_by"]
    list_filter = ["kind", "category"]


@admin.register(models.PayScheme)
class PaySchemeAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "version", "status"]
    list_filter = ["status", "school_year"]


@admin.register(models.PayRun)
class PayRunAdmin(ReadOnlyAdmin):
    list_display = ["school", "first_month", "last_month", "pool", "status", "paid_on"]
    list_filter = ["status"]


@admin.register(models.Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ["school", "semester", "published_by", "created_at"]


for log in (
    models.ClaimLine,
    models.ClaimEvent,
    models.SettlementLine,
    models.SettlementEvent,
    models.SpendingPlanEvent,
    models.PaySchemeEvent,
    models.PayShare,
    models.PayRunEvent,
):
    admin.site.register(log, ReadOnlyAdmin)
