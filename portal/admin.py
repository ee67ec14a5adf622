from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from .admin_caseloads import CaseloadMoveAdmin
from .invitations import staff_invitation_send
from .models import Notification, User


class UserInviteForm(forms.ModelForm):
    """A new account has no password: the person chooses one from their invitation."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "is_staff", "groups")


admin.site.site_header = f"{settings.AGENCY_NAME} – staff"
admin.site.site_title = f"{settings.AGENCY_NAME} staff"
admin.site.index_title = "Casework and content"


@admin.register(User)
class UserAdmin(CaseloadMoveAdmin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserInviteForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "is_staff", "groups"),
                "description": (
                    "An invitation is emailed to the new account: a one-time link to "
                    "choose a password, then set up two-step sign-in."
                ),
            },
        ),
    )
    filter_horizontal = ("groups",)
    readonly_fields = ("last_login", "date_joined")
    actions = ("send_invitation",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            staff_invitation_send(user=obj, by=request.user)
            messages.success(request, f"An invitation has been emailed to {obj.email}.")

    def has_send_invitation_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Email a new invitation (choose a password, set up two-step sign-in)",
        permissions=("send_invitation",),
    )
    def send_invitation(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            staff_invitation_send(user=user, by=request.user)
        self.message_user(request, f"Invitations emailed: {len(users)}.", messages.SUCCESS)


class DeliveryFilter(admin.SimpleListFilter):
    """The rows the team managers' outbox panel counts (``portal.notifications.outbox_attention``)."""

    title = "needs attention"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return (
            ("failed", f"Failed in the last {settings.OUTBOX_FAILED_SHOWN_DAYS} days"),
            ("waiting", f"Unsent {settings.OUTBOX_WAITING_ALERT_MINUTES} minutes after due"),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "failed":
            return queryset.failed_since(now - timedelta(days=settings.OUTBOX_FAILED_SHOWN_DAYS))
        if self.value() == "waiting":
            return queryset.waiting_since(
                now - timedelta(minutes=settings.OUTBOX_WAITING_ALERT_MINUTES)
            )
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services and emptied by the worker."""

    list_display = ("key", "template", "due_at", "status", "attempts", "sent_at")
    list_filter = (
        DeliveryFilter,
        "template",
        ("sent_at", admin.EmptyFieldListFilter),
        "failed_at",
    )
    search_fields = ("key",)
    date_hierarchy = "due_at"
    # The recipient and the context are personal data; staff see only the message's state.
    fields = readonly_fields = (
        "key",
        "template",
        "due_at",
        "next_attempt_at",
        "attempts",
        "last_error",
        "sent_at",
        "failed_at",
        "withdrawn_at",
        "created_at",
    )

    @admin.display(description="status")
    def status(self, obj):
        return obj.status

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
