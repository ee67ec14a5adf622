"""The Content editors' pages: write, preview, publish, order. Status changes go through services."""

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .models import (
    FAQ,
    EligibilityCompletionCount,
    FAQTopic,
    Page,
    ServedPostcodeArea,
    Story,
)


class ServiceSaveMixin:
    """Editors' saves and deletes go through services, which refresh the public caches."""

    def save_model(self, request, obj, form, change):
        services.content_save(item=obj)

    def delete_model(self, request, obj):
        services.content_delete(item=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.content_delete(item=obj)


class PublishableAdmin(AuditlogHistoryAdminMixin, ServiceSaveMixin, admin.ModelAdmin):
    """Drafts, previews and the publish and unpublish actions, shared by pages, FAQs, stories."""

    change_form_template = "admin/content/publishable_change_form.html"
    show_auditlog_history_link = True
    actions = ("publish_selected", "unpublish_selected")
    list_filter = ("status",)
    list_per_page = 50
    readonly_fields = ("status", "published_at", "updated_at", "preview_link")

    @admin.display(description="preview")
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return "Save first to preview"
        label = "View" if obj.is_published else "Preview draft"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    def _apply(self, request, queryset, change, done_word):
        changed = 0
        for obj in queryset:
            try:
                change(item=obj)
            except services.TransitionNotAllowed as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} {done_word}.", messages.SUCCESS)

    @admin.action(description="Publish selected items", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._apply(request, queryset.order_by("pk"), services.content_publish, "published")

    @admin.action(description="Unpublish selected items (back to draft)", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._apply(request, queryset.order_by("pk"), services.content_unpublish, "unpublished")

    def _transition_from_form(self, request, obj) -> bool:
        """The change form's "Save and publish" and "Save and unpublish" buttons."""
        if "_publish" in request.POST:
            change, word = services.content_publish, "published"
        elif "_unpublish" in request.POST:
            change, word = services.content_unpublish, "unpublished"
        else:
            return False
        try:
            change(item=obj)
        except services.TransitionNotAllowed as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(request, f"“{obj}” was saved and {word}.", messages.SUCCESS)
        return True

    def response_change(self, request, obj):
        if self._transition_from_form(request, obj):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if self._transition_from_form(request, obj):
            opts = obj._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)


@admin.register(Page)
class PageAdmin(PublishableAdmin):
    list_display = (
        "title",
        "parent",
        "order",
        "status",
        "show_in_navigation",
        "include_in_pack",
        "updated_at",
        "preview_link",
    )
    list_display_links = ("title",)
    list_editable = ("order",)
    list_filter = ("status", "parent", "show_in_navigation", "include_in_pack")
    list_select_related = ("parent",)
    search_fields = ("title", "summary", "body")
    ordering = ("parent__order", "parent__title", "order", "title")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "parent", "summary", "body")}),
        ("Where it appears", {"fields": ("order", "show_in_navigation", "include_in_pack")}),
        ("Search engines", {"fields": ("meta_description",)}),
        ("Publishing", {"fields": ("status", "published_at", "updated_at", "preview_link")}),
    )


class FAQInline(admin.TabularInline):
    model = FAQ
    extra = 0
    fields = ("question", "order", "status")
    readonly_fields = ("question", "status")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FAQTopic)
class FAQTopicAdmin(AuditlogHistoryAdminMixin, ServiceSaveMixin, admin.ModelAdmin):
    show_auditlog_history_link = True
    list_display = ("title", "order")
    list_editable = ("order",)
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = (FAQInline,)


@admin.register(FAQ)
class FAQAdmin(PublishableAdmin):
    list_display = ("question", "topic", "order", "status", "updated_at", "preview_link")
    list_display_links = ("question",)
    list_editable = ("order",)
    list_filter = ("status", "topic")
    list_select_related = ("topic",)
    search_fields = ("question", "answer")
    autocomplete_fields = ("topic",)
    fieldsets = (
        (None, {"fields": ("question", "answer", "topic", "order")}),
        ("Publishing", {"fields": ("status", "published_at", "updated_at", "preview_link")}),
    )


@admin.register(Story)
class StoryAdmin(PublishableAdmin):
    list_display = ("title", "order", "is_illustrative", "status", "updated_at", "preview_link")
    list_display_links = ("title",)
    list_editable = ("order",)
    list_filter = ("status", "is_illustrative")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "is_illustrative", "order")}),
        ("Image", {"fields": ("image", "image_alt")}),
        ("Publishing", {"fields": ("status", "published_at", "updated_at", "preview_link")}),
    )


@admin.register(ServedPostcodeArea)
class ServedPostcodeAreaAdmin(AuditlogHistoryAdminMixin, ServiceSaveMixin, admin.ModelAdmin):
    """The postcode areas the eligibility checker treats as within reach."""

    show_auditlog_history_link = True
    list_display = ("code", "name", "travel_note")
    search_fields = ("code", "name")


@admin.register(EligibilityCompletionCount)
class EligibilityCompletionCountAdmin(admin.ModelAdmin):
    """Read-only: the checker counts completions, nothing else."""

    list_display = ("day", "completions")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
