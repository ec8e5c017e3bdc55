from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm

from xiji_afterschool import crypto

from .models import (
    AdminClass,
    AuditRecord,
    CountySettings,
    Department,
    Guardian,
    Membership,
    MobileCode,
    Notification,
    NotificationPreference,
    RetentionRun,
    RetentionSetting,
    RosterExport,
    RosterImport,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    SchoolYear,
    ServiceClass,
    Student,
    StudentGuardian,
    SubsidyRate,
    TextMessage,
    Timetable,
    Township,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school", "township"]


class SetByAdminMixin:
    """A password set in /admin/ is set by someone else: the person must change it at the next sign-in."""

    def set_password_and_save(self, user, *args, **kwargs):
        user.must_change_password = True
        return super().set_password_and_save(user, *args, **kwargs)


class AdminSetPasswordForm(SetByAdminMixin, AdminPasswordChangeForm):
    pass


class AdminCreationForm(SetByAdminMixin, AdminUserCreationForm):
    pass


class DigestSearchMixin:
    """Search also finds a whole mobile or ID number typed in the box, by its keyed digest (the columns are
    encrypted, issue 14 item 6): `digest_search = {"mobile_digest": "mobile"}` (digest field: kind)."""

    digest_search: dict = {}

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        for field, kind in self.digest_search.items():
            value = crypto.digest(kind, search_term.strip())
            if value:
                results |= queryset.filter(**{field: value})
        return results, may_have_duplicates


@admin.register(User)
class UserAdmin(DigestSearchMixin, BaseUserAdmin):
    change_password_form = AdminSetPasswordForm
    add_form = AdminCreationForm
    # Django's fieldsets without first_name, last_name and email (the model keeps none of them).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Xiji", {"fields": ("full_name", "mobile", "must_change_password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    list_display = ["username", "full_name", "mobile", "is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    digest_search = {"mobile_digest": "mobile"}
    inlines = [MembershipInline]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "school_type", "township", "is_township_central", "central_school"]
    list_filter = ["school_type", "township"]
    search_fields = ["name", "code"]


@admin.register(AdminClass)
class AdminClassAdmin(admin.ModelAdmin):
    list_display = ["school", "grade", "number"]
    list_filter = ["grade"]
    search_fields = ["school__name"]


@admin.register(Student)
class StudentAdmin(DigestSearchMixin, admin.ModelAdmin):
    list_display = ["name", "school", "admin_class", "gender", "birth_date", "is_boarder"]
    list_select_related = ["school", "admin_class"]
    search_fields = ["name"]
    digest_search = {"id_number_digest": "id_number"}
    raw_id_fields = ["school", "admin_class"]


@admin.register(Guardian)
class GuardianAdmin(DigestSearchMixin, admin.ModelAdmin):
    list_display = ["name", "mobile", "user"]
    search_fields = ["name"]
    digest_search = {"mobile_digest": "mobile"}
    raw_id_fields = ["user"]


@admin.register(StudentGuardian)
class StudentGuardianAdmin(admin.ModelAdmin):
    list_display = ["student", "guardian", "relation", "is_primary"]
    raw_id_fields = ["student", "guardian"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "admin_class", "township", "department"]
    list_filter = ["role"]
    raw_id_fields = ["user", "school", "admin_class"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["kind", "name"]


@admin.register(RosterExport)
class RosterExportAdmin(admin.ModelAdmin):
    list_display = ["school", "requested_by", "status", "row_count", "created_at", "finished_at"]
    readonly_fields = [f.name for f in RosterExport._meta.fields]


# ---------------------------------------------------------------- calendar, timetables, plans, classes, imports
# Support staff read these here; every change goes through the app's own pages (services), so they are read-only.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CountySettings)
class CountySettingsAdmin(admin.ModelAdmin):
    list_display = ["class_hours_per_day", "earliest_pickup_time"]


@admin.register(SubsidyRate)
class SubsidyRateAdmin(ReadOnlyAdmin):
    list_display = ["amount", "effective_from", "note"]


@admin.register(SchoolYear)
class SchoolYearAdmin(ReadOnlyAdmin):
    list_display = ["name", "start_date", "end_date", "plan_deadline", "application_deadline", "refinement_deadline"]


@admin.register(Timetable)
class TimetableAdmin(ReadOnlyAdmin):
    list_display = ["school", "semester", "stage", "version", "effective_from"]
    list_filter = ["stage"]


@admin.register(SchoolPlan)
class SchoolPlanAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "version", "status", "filing_number", "filed_at"]
    list_filter = ["status", "school_year"]
    search_fields = ["school__name", "filing_number"]


@admin.register(SchoolPlanEvent)
class SchoolPlanEventAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action", "from_status", "to_status", "actor", "by_system", "created_at"]


@admin.register(ServiceClass)
class ServiceClassAdmin(ReadOnlyAdmin):
    list_display = ["name", "school", "school_year", "kind", "activity", "teacher", "capacity"]


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = ["school", "original_name", "status", "row_count", "created_at", "imported_at"]


# Notifications: what reached whom and whether the text message went out (support answers "I got nothing").
@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(TextMessage)
class TextMessageAdmin(ReadOnlyAdmin):
    list_display = ["notification", "status", "attempts", "error", "sent_at"]
    list_filter = ["status"]


admin.site.register(NotificationPreference, ReadOnlyAdmin)


@admin.register(MobileCode)
class MobileCodeAdmin(ReadOnlyAdmin):
    """The record of the one-time codes (issue 14): masked numbers, never a code."""

    list_display = ["masked_mobile", "purpose", "created_at", "expires_at", "attempts", "used_at", "client_address"]
    list_filter = ["purpose"]
    exclude = ["mobile_digest", "code_digest"]


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "by_system", "object_type", "object_label", "school", "result"]
    list_filter = ["result", "object_type"]
    search_fields = ["action", "object_id", "actor__username"]
    raw_id_fields = ["actor", "school"]


# Retention (issue #14): read here; the periods are changed on the bureau's page (checked and audited there).
@admin.register(RetentionSetting)
class RetentionSettingAdmin(ReadOnlyAdmin):
    list_display = ["key", "days", "updated_by", "updated_at"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "counts", "created_at"]
