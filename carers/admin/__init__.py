"""The staff area for carer households: made so the next thing to do is obvious.

- ``households``: the household list and page, with the assessment buttons and their forms.
- ``documents``: documents listed, and downloaded only through a permission check.
- ``catalogue``: panel sittings, the training catalogue and every open deadline.
- ``panels``: a household's panel booking moved to another sitting (both tracks at once),
  the central list of panel members, the members of each sitting, members' papers.
- ``conversion``: the action that converts an enquiry, offered on the enquiries' admin.
- ``letters``: a household's letters page and producing a letter (mixed into its admin).
- ``filters`` and ``inlines``: the list filters and the household page's inlines.
"""

from . import catalogue, conversion, documents, households, panels  # noqa: F401 - each registers its models
