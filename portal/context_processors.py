from django.conf import settings


def agency(request):
    return {
        "agency_name": settings.AGENCY_NAME,
        "agency_email": settings.AGENCY_EMAIL,
        "agency_phone": settings.AGENCY_PHONE,
        "site_url": settings.SITE_URL,
    }
