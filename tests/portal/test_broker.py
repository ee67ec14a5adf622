"""make run's embedded broker (portal.broker): a message appears in the queue folder only
once it is written whole, so a worker never reads half of one."""

import json
from queue import Empty

import pytest
from kombu import Connection

import portal.celery  # noqa: F401 - registers the portalfs:// scheme
from portal import broker


@pytest.fixture
def folders(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(tmp_path / "processed"),
        "control_folder": str(tmp_path / "control"),
        "store_processed": False,
    }


def test_a_message_sent_is_received_whole(folders):
    with Connection(f"{broker.SCHEME}://localhost/", transport_options=folders) as conn:
        queue = conn.SimpleQueue("tasks")
        queue.put({"task": "portal.tasks.deliver_notification", "id": 7})
        message = queue.get(timeout=1)
        assert message.payload == {"task": "portal.tasks.deliver_notification", "id": 7}
        message.ack()
        queue.close()


def test_a_message_still_being_written_is_left_for_later(folders, tmp_path):
    with Connection(f"{broker.SCHEME}://localhost/", transport_options=folders) as conn:
        channel = conn.default_channel
        assert isinstance(channel, broker.Channel)
        # What a sender in the middle of writing leaves: an empty file under the partial name.
        half = tmp_path / "queue" / f".partial-{broker.message_name('tasks')}"
        half.write_bytes(b"")
        with pytest.raises(Empty):
            channel._get("tasks")
        assert half.exists()  # not taken
        channel._put("tasks", {"body": "whole"})
        assert channel._get("tasks") == {"body": "whole"}
        # Only the complete message was ever in the queue under a name the worker takes.
        names = sorted(p.name for p in (tmp_path / "queue").iterdir())
        assert names == [half.name]


def test_the_written_file_holds_the_whole_message_when_it_appears(folders, tmp_path):
    with Connection(f"{broker.SCHEME}://localhost/", transport_options=folders) as conn:
        conn.default_channel._put("tasks", {"body": "x" * 10_000})
    [written] = list((tmp_path / "queue").glob("*.tasks.msg"))
    assert json.loads(written.read_bytes()) == {"body": "x" * 10_000}
