from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AdminClass,
    Department,
    Guardian,
    Membership,
    RosterExport,
    School,
    Student,
    StudentGuardian,
    Township,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school", "township"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Xiji", {"fields": ("full_name", "mobile")}))
    list_display = ["username", "full_name", "mobile", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "mobile"]
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
class StudentAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "admin_class", "gender", "birth_date", "is_boarder"]
    list_select_related = ["school", "admin_class"]
    search_fields = ["name", "id_number"]
    raw_id_fields = ["school", "admin_class"]


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["name", "mobile", "user"]
    search_fields = ["name", "mobile"]
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
