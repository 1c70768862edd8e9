"""SQS standard queues that stay fast with tens of thousands of messages.

moto 5.2.5 keeps a queue's messages in a list: every receive rebuilds the list of
visible messages (and reads the queue's attributes, which count them all again, once
per message received), a delete or a visibility change scans every message, and
sending reads the attributes, counts included, for every message. Past a few thousand
messages every call is slow; 60,000 take days.

For standard (non-FIFO) queues, `Messages` stands in for moto's `Queue._messages` list:
messages indexed by id and by every receipt handle they were given, a heap of the ones
that can be received (in the order they were sent) and a heap of the ones that will be
receivable at a known time (delayed, or in flight until their visibility timeout ends),
and a count of each kind. moto's own send path (`Queue.add_message`, which appends and
wakes long polls, and runs Lambda event source mappings) works unchanged on it;
ReceiveMessage, DeleteMessage, ChangeMessageVisibility, PurgeQueue and the
ApproximateNumberOfMessages* attributes are replaced for standard queues, with moto's
semantics:

- a received message is invisible for the visibility timeout (the request's or the
  queue's; 0 leaves it visible), gets a new receipt handle, its receive count goes up
  and its first receive time is set once;
- a message sent with a delay (its own or the queue's DelaySeconds) cannot be received
  until the delay ends;
- with a RedrivePolicy, a message received maxReceiveCount times moves to the
  dead-letter queue instead of being received again;
- a message past the queue's MessageRetentionPeriod is dropped when its turn comes
  (moto marked it received and kept it);
- any receipt handle a message was given deletes it; deleting it again succeeds; after a
  delete or a purge its handles are invalid for ChangeMessageVisibility
  (ReceiptHandleIsInvalid), as is a handle never given;
- long polling (WaitTimeSeconds) waits until a message is sent or becomes visible, or
  the wait ends.

Each queue's operations run under the queue's own lock, so concurrent receivers never
get the same message while it is in flight. FIFO queues keep moto's code.

Two costs moto pays per message are cut for every queue: reading a queue's attributes
(which sending does for each message) converts each attribute's name afresh, now
remembered; a receipt handle (185 random lowercase letters, from moto's seedable random
source) is drawn in one call instead of 185.
"""

from __future__ import annotations

import copy
import functools
import heapq
import itertools
import string
from collections.abc import Iterator
from typing import Any

from moto.core.utils import camelcase_to_underscores, unix_time, unix_time_millis
from moto.moto_api._internal import mock_random
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import InvalidParameterValue, ReceiptHandleIsInvalid
from moto.sqs.models import Message, Queue, SQSBackend, _filter_message_attributes

READY, IN_FLIGHT, DELAYED = "ready", "in flight", "delayed"
# A message's visibility can be extended to at most 12 hours after it was sent (moto's rule).
MAX_VISIBLE_AFTER_SEND_MS = 43200 * 1000
# Heaps are rebuilt when stale entries (of messages deleted or moved) outnumber live ones
# by this many.
COMPACT_SLACK = 1024


class Messages:
    """A standard queue's messages, indexed (see the module docstring). Not locked
    itself: callers hold the queue's `_messages_lock`."""

    def __init__(self) -> None:
        self.by_id: dict[str, Message] = {}
        self.handles: dict[str, Message] = {}
        self.ready: list[tuple[int, int, str]] = []  # (send order, generation, id)
        self.waiting: list[tuple[float, int, int, str]] = []  # (ms when receivable, order, generation, id)
        self.counts = {READY: 0, IN_FLIGHT: 0, DELAYED: 0}
        self.order = itertools.count()

    # moto's Queue reads and appends to `_messages` as a list.

    def append(self, message: Message) -> None:
        """A message just sent: receivable now, or when its delay ends."""
        message.hubfix_order = next(self.order)
        message.hubfix_state = None
        self.by_id[message.id] = message
        if message.delayed_until > unix_time_millis():
            self.place(message, DELAYED, message.delayed_until)
        else:
            self.place(message, READY)

    def remove(self, message: Message) -> None:
        """Forgets a message (deleted, dropped or moved to the dead-letter queue)."""
        del self.by_id[message.id]
        for handle in message.all_receipt_handles:
            self.handles.pop(handle, None)
        self.counts[message.hubfix_state] -= 1
        message.hubfix_state = None
        message.hubfix_generation = getattr(message, "hubfix_generation", 0) + 1
        self.compact()

    def __iter__(self) -> Iterator[Message]:
        return iter(list(self.by_id.values()))

    def __len__(self) -> int:
        return len(self.by_id)

    # State changes.

    def place(self, message: Message, state: str, until_ms: float | None = None) -> None:
        """Puts a message in `state`: READY now, or IN_FLIGHT/DELAYED until `until_ms`."""
        if message.hubfix_state is not None:
            self.counts[message.hubfix_state] -= 1
        generation = message.hubfix_generation = getattr(message, "hubfix_generation", 0) + 1
        message.hubfix_state = state
        self.counts[state] += 1
        if state == READY:
            heapq.heappush(self.ready, (message.hubfix_order, generation, message.id))
        else:
            heapq.heappush(self.waiting, (until_ms, message.hubfix_order, generation, message.id))

    def live(self, generation: int, message_id: str) -> Message | None:
        """The message a heap entry stands for, unless the entry is stale."""
        message = self.by_id.get(message_id)
        if message is None or message.hubfix_generation != generation:
            return None
        return message

    def advance(self, now_ms: float) -> None:
        """Makes the messages whose delay or visibility timeout has ended receivable."""
        while self.waiting and self.waiting[0][0] <= now_ms:
            _, _, generation, message_id = heapq.heappop(self.waiting)
            message = self.live(generation, message_id)
            if message is not None:
                self.place(message, READY)

    def next_change_ms(self) -> float | None:
        """When the next delayed or in-flight message may become receivable."""
        return self.waiting[0][0] if self.waiting else None

    def take(self) -> Message | None:
        """The receivable message sent first, taken off the ready heap."""
        while self.ready:
            _, generation, message_id = heapq.heappop(self.ready)
            message = self.live(generation, message_id)
            if message is not None:
                return message
        return None

    def received(self, message: Message) -> None:
        """Records a receive (moto's `mark_received` has run): the new handle, and the
        message in flight until its visibility timeout ends (or ready at once)."""
        self.handles[message.receipt_handle] = message
        self.settle(message, unix_time_millis())

    def settle(self, message: Message, now_ms: float) -> None:
        """Puts a message taken or changed in the state its `visible_at` says."""
        if message.visible_at > now_ms:
            self.place(message, IN_FLIGHT, message.visible_at)
        else:
            self.place(message, READY)

    def visible(self) -> list[Message]:
        """The receivable messages, in the order they were sent."""
        entries = sorted(self.ready)
        return [m for m in (self.live(g, i) for _, g, i in entries) if m is not None]

    def clear(self) -> None:
        """Forgets every message (PurgeQueue)."""
        self.__init__()

    def compact(self) -> None:
        """Rebuilds the heaps when stale entries pile up."""
        if len(self.ready) + len(self.waiting) <= 2 * len(self.by_id) + COMPACT_SLACK:
            return
        self.ready = [e for e in self.ready if self.live(e[1], e[2]) is not None]
        self.waiting = [e for e in self.waiting if self.live(e[2], e[3]) is not None]
        heapq.heapify(self.ready)
        heapq.heapify(self.waiting)


def standard(queue: Queue) -> bool:
    """Whether the queue uses `Messages` (standard queues do; FIFO queues keep moto's list)."""
    return isinstance(queue._messages, Messages)


# ------------------------------------------------------------------- Queue


moto_queue_init = Queue.__init__
moto_delete_message = Queue.delete_message
moto_messages = Queue.messages
moto_not_visible = Queue.approximate_number_of_messages_not_visible
moto_delayed = Queue.approximate_number_of_messages_delayed


def queue_init(self: Queue, name: str, region: str, account_id: str, **kwargs: Any) -> None:
    """moto's Queue; a standard queue's messages in `Messages`."""
    moto_queue_init(self, name, region, account_id, **kwargs)
    if not self.fifo_queue:
        self._messages = Messages()


def count(queue: Queue, state: str) -> int:
    """How many of a standard queue's messages are in `state` now."""
    with queue._messages_lock:
        queue._messages.advance(unix_time_millis())
        return queue._messages.counts[state]


def messages(self: Queue) -> list[Message]:
    """The receivable messages."""
    if not standard(self):
        return moto_messages.fget(self)
    with self._messages_lock:
        self._messages.advance(unix_time_millis())
        return self._messages.visible()


def number_of_messages(self: Queue) -> int:
    """ApproximateNumberOfMessages: receivable now."""
    return count(self, READY) if standard(self) else len(self.messages)


def number_not_visible(self: Queue) -> int:
    """ApproximateNumberOfMessagesNotVisible: in flight."""
    return count(self, IN_FLIGHT) if standard(self) else moto_not_visible.fget(self)


def number_delayed(self: Queue) -> int:
    """ApproximateNumberOfMessagesDelayed: sent with a delay that has not ended."""
    return count(self, DELAYED) if standard(self) else moto_delayed.fget(self)


def delete_message(self: Queue, receipt_handle: str) -> None:
    """DeleteMessage with any handle the message was given; again is fine."""
    if not standard(self):
        return moto_delete_message(self, receipt_handle)
    with self._messages_lock:
        if receipt_handle in self.deleted_messages:
            return None
        message = self._messages.handles.get(receipt_handle)
        if message is None:
            raise ReceiptHandleIsInvalid()
        self._messages.remove(message)
        self.deleted_messages.update(message.all_receipt_handles)
    return None


# ------------------------------------------------------------------- SQSBackend


moto_receive_message = SQSBackend.receive_message
moto_change_message_visibility = SQSBackend.change_message_visibility
moto_purge_queue = SQSBackend.purge_queue


def take_messages(queue: Queue, limit: int, visibility_timeout: int, attribute_names: list[str],
                  dead: list[Message]) -> list[Message]:
    """Up to `limit` receivable messages, received (copies with the message attributes
    asked for); expired ones dropped, ones received maxReceiveCount times taken off the
    queue and added to `dead`, for the dead-letter queue. Call under the queue's lock."""
    index: Messages = queue._messages
    now_ms = unix_time_millis()
    index.advance(now_ms)
    retention_ms = int(queue.message_retention_period) * 1000
    redrive = queue.redrive_policy if queue.dead_letter_queue is not None else None
    taken: list[Message] = []
    out: list[Message] = []
    while len(out) < limit:
        message = index.take()
        if message is None:
            break
        if message.sent_timestamp + retention_ms <= now_ms:
            index.remove(message)
        elif redrive and message.approximate_receive_count >= redrive["maxReceiveCount"]:
            index.remove(message)
            dead.append(message)
        else:
            message.mark_received(visibility_timeout=visibility_timeout)
            taken.append(message)
            shown = copy.copy(message)
            _filter_message_attributes(shown, attribute_names)
            out.append(shown)
    for message in taken:
        index.received(message)
    return out


def receive_message(self: SQSBackend, queue_name: str, count: int, wait_seconds_timeout: int,
                    visibility_timeout: int, message_attribute_names: list[str] | None = None) -> list[Message]:
    """ReceiveMessage: up to `count` messages, waiting up to `wait_seconds_timeout`
    seconds for one."""
    queue = self.get_queue(queue_name)
    if not standard(queue):
        return moto_receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout,
                                    message_attribute_names)
    deadline = unix_time() + (wait_seconds_timeout or 0)
    dead: list[Message] = []
    try:
        with queue._messages_lock:
            while True:
                out = take_messages(queue, count, visibility_timeout, message_attribute_names or [], dead)
                left = deadline - unix_time()
                if out or left <= 0:
                    return out
                change = queue._messages.next_change_ms()
                if change is not None:
                    left = min(left, max(0.0, change / 1000 - unix_time()))
                queue._messages_lock.wait(timeout=left)
    finally:
        # Outside the queue's lock: the dead-letter queue's own send path takes its lock
        # and may run its Lambda event source mappings.
        for message in dead:
            queue.dead_letter_queue.add_message(message)


def change_message_visibility(self: SQSBackend, queue_name: str, receipt_handle: str,
                              visibility_timeout: int) -> None:
    """ChangeMessageVisibility: invisible for `visibility_timeout` seconds from now
    (0: visible at once)."""
    queue = self.get_queue(queue_name)
    if not standard(queue):
        return moto_change_message_visibility(self, queue_name, receipt_handle, visibility_timeout)
    with queue._messages_lock:
        message = queue._messages.handles.get(receipt_handle)
        if message is None:
            raise ReceiptHandleIsInvalid()
        now_ms = unix_time_millis()
        if now_ms + int(visibility_timeout) * 1000 - message.sent_timestamp > MAX_VISIBLE_AFTER_SEND_MS:
            raise InvalidParameterValue(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: Total "
                "VisibilityTimeout for the message is beyond the limit [43200 seconds]")
        message.change_visibility(visibility_timeout)
        queue._messages.settle(message, now_ms)
        queue._messages_lock.notify_all()
    return None


def purge_queue(self: SQSBackend, queue_name: str) -> None:
    """PurgeQueue (moto's rules: at most once a minute when strict), every handle invalid after."""
    queue = self.get_queue(queue_name)
    index = queue._messages
    moto_purge_queue(self, queue_name)
    if isinstance(index, Messages):
        with queue._messages_lock:
            index.clear()
            queue._messages = index


def receipt_handle() -> str:
    """A new receipt handle, as moto makes them: 185 random lowercase letters."""
    return "".join(mock_random.choices(string.ascii_lowercase, k=185))


def install() -> None:
    """Standard queues keep their messages in `Messages`; attribute names and receipt
    handles are cheaper for every queue."""
    sqs_models.camelcase_to_underscores = functools.cache(camelcase_to_underscores)
    sqs_models.generate_receipt_handle = receipt_handle
    Queue.__init__ = queue_init
    Queue.messages = property(messages)
    Queue.approximate_number_of_messages = property(number_of_messages)
    Queue.approximate_number_of_messages_not_visible = property(number_not_visible)
    Queue.approximate_number_of_messages_delayed = property(number_delayed)
    Queue.delete_message = delete_message
    SQSBackend.receive_message = receive_message
    SQSBackend.change_message_visibility = change_message_visibility
    SQSBackend.purge_queue = purge_queue
