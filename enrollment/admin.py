from django.contrib import admin

from .models import (
    Agreement,
    AgreementText,
    Application,
    ApplicationEvent,
    DataRequest,
    DataRequestEvent,
    LetterBatch,
)


@admin.register(AgreementText)
class AgreementTextAdmin(admin.ModelAdmin):
    list_display = ["school", "school_year", "version", "published_by", "created_at"]
    readonly_fields = ["school", "school_year", "version", "body", "published_by"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Signed agreements are a legal record: read-only here too."""

    list_display = ["student", "text", "decision", "signer_name", "created_at"]
    readonly_fields = [f.name for f in Agreement._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["student", "school", "school_year", "status", "service_kind", "submitted_at"]
    list_filter = ["status", "service_kind"]
    raw_id_fields = ["student", "school", "agreement", "applicant", "entered_by", "service_class"]
    readonly_fields = ["status"]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ["application", "action", "from_status", "to_status", "actor", "by_system", "created_at"]
    readonly_fields = [f.name for f in ApplicationEvent._meta.fields]


@admin.register(LetterBatch)
class LetterBatchAdmin(admin.ModelAdmin):
    list_display = ["admin_class", "status", "done", "total", "created_at"]
    readonly_fields = [f.name for f in LetterBatch._meta.fields]


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """A family's request and the school's answer are a record of the family's rights: read-only here."""

    list_display = ["pk", "school", "kind", "status", "submitted_at", "due_date", "answered_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in DataRequest._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequestEvent)
class DataRequestEventAdmin(admin.ModelAdmin):
    list_display = ["request", "action", "from_status", "to_status", "actor", "by_system", "created_at"]
    readonly_fields = [f.name for f in DataRequestEvent._meta.fields]
