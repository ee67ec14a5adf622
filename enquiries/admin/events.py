"""Staff admin of the enquiries app. Status is never edited here: actions call services."""

from datetime import timedelta
from functools import reduce
from operator import or_

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from portal import exports
from portal.admin_lists import LargeTableAdmin, search_words
from portal.formats import day_and_time

from ..formats import event_when, natural_key
from ..models import Booking, InformationEvent
from ..selectors import events as selectors
from ..services import events as services

# ===========================================================================
# Information events and bookings (Events team)
# ===========================================================================


class InformationEventForm(forms.ModelForm):
    joining_link = forms.URLField(
        label="Joining link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Online events: shown only to people with a confirmed place.",
    )

    class Meta:
        model = InformationEvent
        fields = (
            "title",
            "topic",
            "kind",
            "starts_at",
            "ends_at",
            "booking_closes_at",
            "places",
            "venue",
            "address",
            "joining_link",
            "description",
            "accessibility",
        )

    def clean_places(self):
        places = self.cleaned_data["places"]
        if self.instance.pk:
            taken = services.confirmed_places(self.instance)
            if places < taken:
                raise ValidationError(
                    f"{taken} places are already booked: there cannot be fewer places than that."
                )
        return places


class BookingInline(admin.TabularInline):
    """Who has booked, read-only: places change hands only through the services."""

    model = Booking
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("name", "places", "status", "created_at", "checked_in_at")
    readonly_fields = fields
    ordering = ("status", "created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InformationEvent)
class InformationEventAdmin(LargeTableAdmin, admin.ModelAdmin):
    form = InformationEventForm
    list_display = (
        "title",
        "when",
        "kind",
        "places_display",
        "waiting_display",
        "status",
    )
    # A date filter rather than a date drill-down, which reads every event for its years.
    list_filter = ("topic", "kind", "status", "starts_at")
    search_fields = ("title", "venue")
    ordering = ("-starts_at",)
    inlines = (BookingInline,)
    actions = ("export_attendees", "duplicate_next_month", "cancel_events")
    readonly_fields = (
        "status",
        "slug",
        "places_display",
        "waiting_display",
        "cancelled_at",
        "on_the_day",
    )
    fieldsets = (
        (None, {"fields": ("title", "topic", "kind", "status", "slug")}),
        ("When", {"fields": ("starts_at", "ends_at", "booking_closes_at")}),
        ("Places", {"fields": ("places", "places_display", "waiting_display")}),
        (
            "Where",
            {
                "fields": ("venue", "address", "joining_link"),
                "description": "In person: venue and address. Online: the joining link, "
                "which only people with a confirmed place see.",
            },
        ),
        ("About the event", {"fields": ("description", "accessibility")}),
        ("Everyone booked", {"fields": ("on_the_day",)}),
        ("Cancellation", {"fields": ("cancelled_at",), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        # Places taken and waiting counts come with the events, in the same query; the
        # annotation drops Meta.ordering, so the order is given (the autocomplete pages it).
        return selectors.events_with_places().order_by("-starts_at", "id")

    def get_urls(self):
        own = [
            path(
                "<int:pk>/sign-in-sheet/",
                self.admin_site.admin_view(self.sign_in_sheet_view),
                name="enquiries_informationevent_sign_in_sheet",
            ),
            path(
                "<int:pk>/message/",
                self.admin_site.admin_view(self.message_view),
                name="enquiries_informationevent_message",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="on the day and before")
    def on_the_day(self, obj):
        if obj.pk is None:
            return "Save the event first."
        return format_html(
            '<a href="{}">Printable sign-in sheet</a> · <a href="{}">Message everyone booked</a>',
            reverse("admin:enquiries_informationevent_sign_in_sheet", args=[obj.pk]),
            reverse("admin:enquiries_informationevent_message", args=[obj.pk]),
        )

    def sign_in_sheet_view(self, request, pk):
        """A print-friendly list of who is coming, with boxes to tick at the door.

        Access needs only as a flag: the details stay in the booking, not on paper
        left on a table.
        """
        event = get_object_or_404(InformationEvent, pk=pk)
        # The sheet lists who booked: seeing the event is not enough.
        if not (
            self.has_view_permission(request, event)
            and request.user.has_perm("enquiries.view_booking")
        ):
            raise PermissionDenied
        bookings = sorted(
            Booking.objects.filter(event=event, status__in=Booking.PLACE_HOLDING_STATUSES).only(
                "name", "places", "access_needs", "status", "event_id"
            ),
            key=lambda booking: natural_key(booking.name),
        )
        return TemplateResponse(
            request,
            "admin/enquiries/informationevent/sign_in_sheet.html",
            {
                "event": event,
                "bookings": bookings,
                "places": sum(booking.places for booking in bookings),
                "title": f"Sign-in sheet: {event.title}",
            },
        )

    def message_view(self, request, pk):
        event = get_object_or_404(InformationEvent, pk=pk)
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        form = EventMessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                told = services.event_message(event=event, **form.cleaned_data)
            except ValidationError as problem:
                form.add_error(None, problem)
            else:
                if told:
                    self.message_user(
                        request,
                        f"Your message is on its way to {told} "
                        f"booking{'' if told == 1 else 's'} for {event}.",
                        messages.SUCCESS,
                    )
                elif event.bookings.filter(status__in=services.EVENT_MESSAGE_STATUSES).exists():
                    self.message_user(
                        request,
                        "Nothing new was sent: this message has already been sent today to "
                        f"everyone booked on {event}.",
                        messages.WARNING,
                    )
                else:
                    self.message_user(
                        request, f"Nothing was sent: nobody is booked on {event}.", messages.WARNING
                    )
                return redirect("admin:enquiries_informationevent_change", event.pk)
        booked = Booking.objects.filter(
            event=event, status__in=services.EVENT_MESSAGE_STATUSES
        ).count()
        return TemplateResponse(
            request,
            "admin/enquiries/informationevent/message.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Message everyone booked: {event}",
                "event": event,
                "form": form,
                "booked": booked,
            },
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_cancelled:
            return [*self.form._meta.fields, *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description="date", ordering="starts_at")
    def when(self, obj):
        return event_when(obj)

    @admin.display(description="places taken")
    def places_display(self, obj):
        return f"{obj.places_taken} / {obj.places}"

    @admin.display(description="waiting", ordering="waiting_count")
    def waiting_display(self, obj):
        return obj.waiting_count

    def save_model(self, request, obj, form, change):
        services.event_save(event=obj, changed=form.changed_data if change else ())

    @admin.action(description="Export attendees of the selected events (CSV)")
    def export_attendees(self, request, queryset):
        bookings = sorted(
            Booking.objects.filter(event__in=queryset.values("pk"))
            .exclude(status=Booking.Status.CANCELLED)
            .select_related("event"),
            # "Person 2" before "Person 10", as people read a list.
            key=lambda b: (b.event.starts_at, b.event_id, b.status, natural_key(b.name), b.id),
        )
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        # The list serves running the events: who comes, how to reach them, their places
        # and their booking. Access needs are free text and may be about health: the file
        # says only whether there are some, as the sign-in sheet does, and the booking
        # holds the words. Where people heard about us is for the figures, not the list.
        return exports.csv_export(
            request,
            export="Event attendees",
            filename=f"attendees-{stamp}.csv",
            columns=[
                "Event",
                "Date",
                "Name",
                "Email",
                "Phone",
                "Places",
                "Status",
                "Access needs",
                "Booked at",
            ],
            rows=(
                (
                    booking.event.title,
                    day_and_time(booking.event.starts_at),
                    booking.name,
                    booking.email,
                    booking.phone,
                    booking.places,
                    booking.get_status_display(),
                    "Yes: see the booking" if booking.access_needs.strip() else "",
                    day_and_time(booking.created_at),
                )
                for booking in bookings
            ),
            filters=exports.list_filters(request, selected=queryset.count()),
        )

    @admin.action(description="Duplicate the selected events a month later")
    def duplicate_next_month(self, request, queryset):
        with transaction.atomic():
            copies = [services.event_duplicate(event=event) for event in queryset.order_by("pk")]
        for copy in copies:
            url = reverse("admin:enquiries_informationevent_change", args=[copy.pk])
            self.message_user(
                request,
                format_html('Created <a href="{}">{}</a>. Check the details.', url, copy),
                messages.SUCCESS,
            )

    @admin.action(description="Cancel the selected events and tell everyone booked")
    def cancel_events(self, request, queryset):
        events = list(queryset.filter(status=InformationEvent.Status.SCHEDULED))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/enquiries/informationevent/cancel_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": "Cancel events",
                    "events": events,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for event in events:
            try:
                told = services.event_cancel(event=event)
            except services.BookingError as problem:
                self.message_user(request, f"{event}: {problem.message}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{event} is cancelled; {told} people were told.", messages.SUCCESS
                )
        return None


class EventMessageForm(forms.Form):
    subject = forms.CharField(
        max_length=services.EVENT_MESSAGE_SUBJECT_MAX,
        help_text="The event's title is added after it.",
    )
    message = forms.CharField(
        max_length=services.EVENT_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Sent as you write it, with the event's date, place and access arrangements "
        "below. Everyone gets the same words: do not write anything about one person.",
    )


class BookingForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = ("name", "phone", "access_needs", "heard_about")


class RecentEventFilter(admin.SimpleListFilter):
    """The events staff check bookings for: those of the last weeks and every one to
    come (ten years of events would list some 1,500). An older event's bookings are
    reached from its own page, by the same address."""

    title = "event"
    # The address the events panel and each event's page link to.
    parameter_name = "event__id__exact"
    RECENT_DAYS = 60

    def lookups(self, request, model_admin):
        since = timezone.now() - timedelta(days=self.RECENT_DAYS)
        shown = InformationEvent.objects.filter(starts_at__gte=since)
        if (self.value() or "").isdigit():
            shown = shown | InformationEvent.objects.filter(pk=int(self.value()))
        return [(str(event.pk), str(event)) for event in shown.order_by("starts_at", "pk")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(event_id=int(value)) if (value or "").isdigit() else queryset


@admin.register(Booking)
class BookingAdmin(LargeTableAdmin, admin.ModelAdmin):
    form = BookingForm
    list_display = ("name", "event", "event_date", "places", "status", "created_at")
    list_select_related = ("event",)
    list_filter = (
        RecentEventFilter,
        "status",
        "event__kind",
        ("event__starts_at", admin.DateFieldListFilter),
    )
    # Searched in get_search_results below: name and email through their trigram indexes
    # (migration 0009), the event's title among the events first.
    search_fields = ("name", "email", "event__title")
    ordering = ("-created_at",)
    # As the other long lists (enquiries, households, family time): a page of 50.
    list_per_page = 50
    actions = ("mark_attended", "mark_no_show", "cancel_bookings")
    readonly_fields = (
        "event",
        "email",
        "places",
        "status",
        "manage_link",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
    )
    fieldsets = (
        (None, {"fields": ("event", "status", "places", "manage_link")}),
        ("The person", {"fields": ("name", "email", "phone", "access_needs", "heard_about")}),
        ("Dates", {"fields": ("created_at", "confirmed_at", "cancelled_at", "checked_in_at")}),
    )

    def has_add_permission(self, request):
        # Places are booked through the public form, so the capacity rule always applies.
        return False

    def get_search_results(self, request, queryset, search_term):
        """Each word in the name, the email or the event's title, as Django's admin
        searches. The events whose titles match are found first (one query over some
        1,500 events after ten years): a condition on the joined title would make
        PostgreSQL read every booking, while the event's id, the name and the email each
        have an index it can combine."""
        words = search_words(search_term)
        if not words:
            return queryset, False
        titles = list(
            InformationEvent.objects.filter(
                reduce(or_, (Q(title__icontains=word) for word in words))
            ).values_list("pk", "title")
        )
        for word in words:
            events = [pk for pk, title in titles if word.casefold() in title.casefold()]
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(email__icontains=word) | Q(event_id__in=events)
            )
        return queryset, False

    @admin.display(description="event date", ordering="event__starts_at")
    def event_date(self, obj):
        return day_and_time(obj.event.starts_at)

    @admin.display(description="manage link")
    def manage_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Open the page the person sees</a>',
            obj.get_absolute_url(),
        )

    def save_model(self, request, obj, form, change):
        services.booking_update_details(booking=obj, changed=form.changed_data)

    def _each(self, request, queryset, service, done: str):
        changed = 0
        for booking in queryset.select_related("event").order_by("pk"):
            try:
                service(booking=booking)
            except services.BookingError as problem:
                self.message_user(request, f"{booking.name}: {problem.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} {done}.", messages.SUCCESS)

    @admin.action(description="Check in: attended")
    def mark_attended(self, request, queryset):
        self._each(request, queryset, services.booking_mark_attended, "marked as attended")

    @admin.action(description="Check in: did not attend")
    def mark_no_show(self, request, queryset):
        self._each(request, queryset, services.booking_mark_no_show, "marked as not attended")

    @admin.action(description="Cancel the selected bookings (the waiting list moves up)")
    def cancel_bookings(self, request, queryset):
        def cancel(*, booking):
            return services.booking_cancel(booking=booking, by_staff=True)

        self._each(request, queryset, cancel, "cancelled")
