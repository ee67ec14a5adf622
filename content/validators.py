from django.core.exceptions import ValidationError

STORY_IMAGE_MAX_BYTES = 2 * 1024 * 1024


def validate_image_size(image) -> None:
    if image and image.size > STORY_IMAGE_MAX_BYTES:
        raise ValidationError("The image must be 2 MB or smaller.", code="image_too_large")
