"""The embedded broker of ``make run``: kombu's file-system transport, with each message
written whole before it appears in the queue folder.

Kombu's own ``_put`` creates ``<n>_<uuid>.<queue>.msg`` and then writes into it, so a
worker polling the folder can take the file while it is still empty and stop on the JSON
error (the task is lost and ``make run`` ends). Here the message is written under a name
the worker never takes (it does not end in ``.<queue>.msg`` after the first dot) and then
renamed into place, which is atomic on one file system (``os.replace``).

Registered as the ``portalfs://`` scheme (``kombu.transport.TRANSPORT_ALIASES``) when
``portal.celery`` is imported, which every process that sends or runs a task does.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

SCHEME = "portalfs"


def message_name(queue: str) -> str:
    # The same shape as kombu's: sorted by time, then taken by the queue's suffix.
    return f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = message_name(queue)
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".partial-{name}")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add the message {name!r} to the queue folder") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    TRANSPORT_ALIASES[SCHEME] = "portal.broker:Transport"
