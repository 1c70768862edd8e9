"""SQS standard queues at scale (the extension's `sqs` module), through boto3 over HTTP."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest

from asff import client_error

SCALE = 20_000


@pytest.fixture(scope="module")
def sqs(emulator) -> Any:
    return emulator.client("sqs")


def new_queue(sqs: Any, **attributes: str) -> str:
    """A new queue's URL."""
    name = f"q-{uuid.uuid4().hex[:12]}"
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    """(ApproximateNumberOfMessages, ...NotVisible, ...Delayed)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return tuple(int(attributes[n]) for n in names)


def receive(sqs: Any, url: str, n: int = 10, **kwargs: Any) -> list[dict[str, Any]]:
    kwargs.setdefault("MessageSystemAttributeNames", ["All"])
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=n, **kwargs).get("Messages", [])


def test_20000_messages_are_sent_received_and_deleted_in_linear_time(sqs):
    url = new_queue(sqs)
    started = time.monotonic()
    for batch in range(SCALE // 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"{batch * 10 + i}"}
                                                      for i in range(10)])
    sent = time.monotonic() - started
    assert counts(sqs, url) == (SCALE, 0, 0)
    bodies: list[str] = []
    laps: list[float] = []
    started = time.monotonic()
    while True:
        lap = time.monotonic()
        messages = receive(sqs, url, VisibilityTimeout=300)
        if not messages:
            break
        bodies.extend(m["Body"] for m in messages)
        out = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                               for i, m in enumerate(messages)])
        assert len(out["Successful"]) == len(messages)
        laps.append(time.monotonic() - lap)
    drained = time.monotonic() - started
    assert sorted(map(int, bodies)) == list(range(SCALE)), "every message exactly once"
    assert counts(sqs, url) == (0, 0, 0)
    first, last = sum(laps[:200]), sum(laps[-200:])
    print(f"\n{SCALE} messages: sent in {sent:.1f} s, received and deleted in {drained:.1f} s "
          f"(first 2,000 {first:.1f} s, last 2,000 {last:.1f} s)")
    assert last < 3 * first + 1, "the last receives cost what the first did"


def test_a_received_message_is_invisible_for_the_visibility_timeout(sqs):
    url = new_queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    (first,) = receive(sqs, url, VisibilityTimeout=1)
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert counts(sqs, url) == (0, 1, 0)
    assert receive(sqs, url) == []
    time.sleep(1.2)
    assert counts(sqs, url) == (1, 0, 0)
    (again,) = receive(sqs, url, VisibilityTimeout=30)
    assert again["MessageId"] == first["MessageId"]
    assert again["ReceiptHandle"] != first["ReceiptHandle"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    assert again["Attributes"]["ApproximateFirstReceiveTimestamp"] == first["Attributes"]["ApproximateFirstReceiveTimestamp"]
    assert again["Attributes"]["SentTimestamp"] == first["Attributes"]["SentTimestamp"]
    assert int(first["Attributes"]["SentTimestamp"]) <= int(first["Attributes"]["ApproximateFirstReceiveTimestamp"])


def test_the_queues_visibility_timeout_applies_and_0_leaves_messages_visible(sqs):
    url = new_queue(sqs, VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="a")
    assert len(receive(sqs, url)) == 1
    assert counts(sqs, url) == (0, 1, 0)
    time.sleep(1.2)
    assert len(receive(sqs, url, VisibilityTimeout=0)) == 1
    assert counts(sqs, url) == (1, 0, 0)
    assert len(receive(sqs, url, VisibilityTimeout=0)) == 1


def test_messages_come_in_the_order_sent_and_once_per_receive(sqs):
    url = new_queue(sqs)
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    assert [m["Body"] for m in receive(sqs, url, VisibilityTimeout=0)] == ["0", "1", "2", "3", "4"]


def test_change_message_visibility(sqs):
    url = new_queue(sqs)
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    a, b, c = receive(sqs, url, VisibilityTimeout=60)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=a["ReceiptHandle"], VisibilityTimeout=0)
    assert counts(sqs, url) == (1, 2, 0)
    (again,) = receive(sqs, url, VisibilityTimeout=60)
    assert again["Body"] == "a"
    out = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "b", "ReceiptHandle": b["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "c", "ReceiptHandle": c["ReceiptHandle"], "VisibilityTimeout": 1},
        {"Id": "x", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0},
    ])
    assert [s["Id"] for s in out["Successful"]] == ["b", "c"]
    assert [(f["Id"], f["Code"]) for f in out["Failed"]] == [("x", "ReceiptHandleIsInvalid")]
    assert counts(sqs, url) == (1, 2, 0)
    time.sleep(1.2)
    assert sorted(m["Body"] for m in receive(sqs, url, VisibilityTimeout=60)) == ["b", "c"]


def test_receipt_handles_after_delete(sqs):
    url = new_queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="once")
    (first,) = receive(sqs, url, VisibilityTimeout=0)
    (second,) = receive(sqs, url, VisibilityTimeout=0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0), "an older handle deletes the message too"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    error = client_error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=second["ReceiptHandle"],
                         VisibilityTimeout=0)
    assert error["Error"]["Code"] == "ReceiptHandleIsInvalid"
    error = client_error(sqs.delete_message, QueueUrl=url, ReceiptHandle="never-given")
    assert error["Error"]["Code"] == "ReceiptHandleIsInvalid"
    assert receive(sqs, url) == []


def test_delayed_messages(sqs):
    url = new_queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    sqs.send_message(QueueUrl=url, MessageBody="now")
    assert counts(sqs, url) == (1, 0, 1)
    assert [m["Body"] for m in receive(sqs, url, VisibilityTimeout=60)] == ["now"]
    time.sleep(1.2)
    assert [m["Body"] for m in receive(sqs, url)] == ["later"]
    delayed_queue = new_queue(sqs, DelaySeconds="1")
    sqs.send_message_batch(QueueUrl=delayed_queue, Entries=[{"Id": "1", "MessageBody": "x"},
                                                            {"Id": "2", "MessageBody": "y", "DelaySeconds": 0}])
    assert counts(sqs, delayed_queue) == (1, 0, 1)


def test_redrive_to_the_dead_letter_queue_after_max_receive_count(sqs):
    dlq = new_queue(sqs)
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = new_queue(sqs, RedrivePolicy=json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2}))
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "poison"},
                                                  {"Id": "2", "MessageBody": "fine"}])
    first = receive(sqs, url, VisibilityTimeout=0)
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in first] == [("poison", "1"), ("fine", "1")]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[1]["ReceiptHandle"])
    second = receive(sqs, url, VisibilityTimeout=0)
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in second] == [("poison", "2")]
    assert receive(sqs, url) == [], "received twice: moved on the third receive"
    assert counts(sqs, url) == (0, 0, 0)
    (dead,) = receive(sqs, dlq)
    assert dead["Body"] == "poison"
    assert counts(sqs, dlq) == (0, 1, 0)


def test_long_polling_returns_when_a_message_arrives(sqs):
    url = new_queue(sqs)
    started = time.monotonic()
    assert receive(sqs, url, WaitTimeSeconds=1) == []
    assert time.monotonic() - started >= 0.9
    threading.Timer(0.5, lambda: sqs.send_message(QueueUrl=url, MessageBody="late")).start()
    started = time.monotonic()
    (message,) = receive(sqs, url, WaitTimeSeconds=10)
    assert message["Body"] == "late"
    assert time.monotonic() - started < 5


def test_long_polling_returns_when_a_message_becomes_visible(sqs):
    url = new_queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="back")
    receive(sqs, url, VisibilityTimeout=1)
    started = time.monotonic()
    (message,) = receive(sqs, url, WaitTimeSeconds=10)
    assert message["Body"] == "back"
    assert time.monotonic() - started < 5


def test_concurrent_receivers_never_share_a_message(emulator):
    sqs = emulator.client("sqs")
    url = new_queue(sqs)
    for batch in range(50):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"{batch}-{i}"} for i in range(10)])
    got: list[str] = []

    def worker() -> None:
        client = emulator.client("sqs")
        while messages := receive(client, url, VisibilityTimeout=120):
            got.extend(m["MessageId"] for m in messages)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == len(set(got)) == 500


def test_purge_empties_the_queue_and_invalidates_handles(sqs):
    url = new_queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="gone")
    (message,) = receive(sqs, url, VisibilityTimeout=60)
    sqs.send_message(QueueUrl=url, MessageBody="gone too")
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    error = client_error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                         VisibilityTimeout=0)
    assert error["Error"]["Code"] == "ReceiptHandleIsInvalid"
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert [m["Body"] for m in receive(sqs, url)] == ["after"]


def test_fifo_queues_keep_motos_behaviour(sqs):
    url = sqs.create_queue(QueueName=f"f-{uuid.uuid4().hex[:8]}.fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("1", "2"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    (first,) = receive(sqs, url, n=1, VisibilityTimeout=60)
    assert first["Body"] == "1"
    assert receive(sqs, url) == [], "the group waits for its message in flight"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert [m["Body"] for m in receive(sqs, url)] == ["2"]
