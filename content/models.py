"""The public face of the agency: pages about Early Permanence, FAQs and carer stories.

Content editors write in Markdown; it is rendered to sanitised HTML on the way out
(``content.markdown``). Everything public is either a draft or published, and only the
transition services in ``content.services`` move it between the two.
"""

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal import formats
from portal.audit import AuditNamed

from .validators import validate_image_size


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)


# The name migration 0001 gave the audit base; services name entries through portal.audit.
AuditNamedMixin = AuditNamed


class Publishable(AuditNamed, models.Model):
    """Fields shared by everything that can be published."""

    status = models.CharField(
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        editable=False,
        help_text="Changed only by the Publish and Unpublish actions.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lower-case letters, numbers and single hyphens, e.g. concurrent-planning.",
)


class Page(Publishable):
    """A page under /early-permanence/. Top-level pages are sections; others sit in one."""

    # Unique: every page's <title> and description must differ from every other's.
    title = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        validators=[slug_validator],
        help_text="The page's address: /early-permanence/<slug>/.",
    )
    summary = models.CharField(
        max_length=300, help_text="One or two sentences shown under the title and in lists."
    )
    body = models.TextField(
        max_length=40_000,
        help_text="Markdown: ## for headings, - for bullet lists, [text](/faqs/) for links.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
        help_text="Leave empty for a section; choose a section to put this page inside it.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Pages are listed from the lowest number up."
    )
    show_in_navigation = models.BooleanField(
        default=True, help_text="List this page on the hub and in its section's navigation."
    )
    include_in_pack = models.BooleanField(
        "include in information pack",
        default=True,
        help_text="Print this page in the information pack PDF, in navigation order.",
    )
    meta_description = models.CharField(
        max_length=300,
        unique=True,
        help_text="What search engines show under the title; unique per page.",
    )

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="content_page_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("content:page", kwargs={"slug": self.slug})

    def clean(self):
        # Sections are one level deep: the navigation and the pack's contents assume it.
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "A page cannot be inside itself."})
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": "Choose a section: a page with no section above it."})
        if self.pk and Page.objects.filter(parent=self.pk).exists():
            raise ValidationError(
                {"parent": "This page has pages inside it, so it must stay a section."}
            )


class FAQTopic(AuditNamed, models.Model):
    """A heading the FAQs are grouped under."""

    title = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = "FAQ topic"

    def __str__(self):
        return self.title


class FAQ(Publishable):
    question = models.CharField(max_length=200, unique=True)
    answer = models.TextField(max_length=5_000, help_text="Markdown.")
    topic = models.ForeignKey(FAQTopic, on_delete=models.PROTECT, related_name="faqs")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["topic__order", "topic__title", "order", "question"]
        verbose_name = "FAQ"

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("content:faqs") + f"#faq-{self.pk}"


def story_image_path(instance, filename):
    # The uploaded name is the editor's; the stored one only needs to be unique.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"content/stories/{instance.slug}.{extension}"


class Story(Publishable):
    """A carer's story. The shipped ones are illustrative and say so."""

    title = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])
    summary = models.CharField(max_length=300)
    body = models.TextField(max_length=20_000, help_text="Markdown.")
    image = models.ImageField(
        upload_to=story_image_path,
        blank=True,
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"]),
            validate_image_size,
        ],
        help_text="Optional. JPEG, PNG or WebP, at most 2 MB.",
    )
    image_alt = models.CharField(
        "image description",
        max_length=250,
        blank=True,
        help_text="Required with an image: what it shows, for people who cannot see it.",
    )
    is_illustrative = models.BooleanField(
        "illustrative",
        default=True,
        help_text="Names and details are invented; the page says so.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "-published_at", "title"]
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""),
                name="content_story_image_has_alt_text",
                violation_error_message="Describe the image for people who cannot see it.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("content:story", kwargs={"slug": self.slug})


class ServedPostcodeArea(AuditNamed, models.Model):
    """Where the agency places children: the eligibility checker's postcode list."""

    code = models.CharField(
        max_length=4,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{1,2}([0-9][0-9A-Z]?)?$",
                "A postcode area (LS) or district (HD9), in capitals.",
            )
        ],
        help_text="A postcode area such as LS, or a district such as HD9.",
    )
    name = models.CharField(max_length=80, help_text="e.g. Leeds")
    travel_note = models.CharField(
        max_length=200,
        help_text="Shown to people who live there, e.g. About 30 minutes from our Leeds office.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "served postcode area"

    def __str__(self):
        return f"{self.code} ({self.name})"


class EligibilityCompletionCount(models.Model):
    """How many people finished the eligibility checker on a day. Nothing else is kept."""

    day = models.DateField(unique=True)
    completions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = "eligibility checker completions"
        verbose_name_plural = "eligibility checker completions"

    def __str__(self):
        return f"{formats.day(self.day)}: {self.completions}"


class ContentInstall(models.Model):
    """Remembers that the shipped content was installed, so it is installed only once."""

    name = models.CharField(max_length=80, unique=True)
    installed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
