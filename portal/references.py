"""The reference staff quote for a case (EP00042, C00012, PL00007).

The service creating the case gives it from the primary key, inside the creating
transaction, so the column is null only until that transaction ends.
"""

from django.db import models


def reference_field(help_text: str) -> models.CharField:
    """The column holding a case's reference: unique, set by the service, not edited."""
    return models.CharField(  # noqa: DJ001 - null only inside the creating transaction
        max_length=12, unique=True, null=True, editable=False, help_text=help_text
    )
