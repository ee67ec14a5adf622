"""The placing local authorities and the professionals around each child (the child's
social worker, team manager, independent reviewing officer, children's guardian and the
authority's solicitor): who they are, where they work and their secure email."""

from django.contrib import admin

from portal.admin_sections import CaseFields

from ..models import LocalAuthority, Professional


class ProfessionalInline(CaseFields, admin.TabularInline):
    model = Professional
    template = "admin/edit_inline/case_stacked.html"
    extra = 0
    fields = ("name", "role", "email", "phone", "is_active")


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(CaseFields, admin.ModelAdmin):
    list_display = ("name", "secure_email", "phone")
    search_fields = ("name",)
    fields = ("name", "secure_email", "phone")
    inlines = (ProfessionalInline,)

    def has_delete_permission(self, request, obj=None):
        # A placing authority is named on children's records: kept.
        return request.user.is_superuser


@admin.register(Professional)
class ProfessionalAdmin(CaseFields, admin.ModelAdmin):
    list_display = ("name", "role", "employer_display", "email", "is_active")
    list_filter = ("role", "is_active", "local_authority")
    list_select_related = ("local_authority",)
    search_fields = ("name", "organisation", "local_authority__name", "email")
    search_help_text = "Search by name, organisation, local authority or email."
    fields = ("name", "role", "local_authority", "organisation", "email", "phone", "is_active")
    autocomplete_fields = ("local_authority",)

    @admin.display(description="works for", ordering="local_authority__name")
    def employer_display(self, obj):
        return obj.employer

    def has_delete_permission(self, request, obj=None):
        # Named on children's records: marked no longer in post instead.
        return request.user.is_superuser
