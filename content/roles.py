"""What content editors may do (``portal.roles``): public pages, FAQs, stories and the
eligibility checker's postcode areas."""

from portal.roles import Role, grant, model_perms, view


def grant_roles() -> None:
    grant(
        Role.CONTENT_EDITORS,
        [
            *model_perms("content.page"),
            *model_perms("content.faqtopic"),
            *model_perms("content.faq"),
            *model_perms("content.story"),
            *model_perms("content.servedpostcodearea"),
            *view("content.eligibilitycompletioncount"),
        ],
    )
