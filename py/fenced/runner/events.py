"""The replay buffer of one execution: its events, bounded in output bytes, read back after a cursor.

Events of a session are numbered by one counter (`seq`), so a client's cursor is a single number. Each
execution keeps its own bounded buffer; `started`, `exited` and warnings are always kept, output chunks
are dropped oldest first once the bound is passed, but only those at or before the position the owner
says may go (what every watcher's client has, see `watchers`). If that is not enough, the owner pauses
reading the process instead (lossless back-pressure, like a slow terminal). A watcher that comes back
after chunks were dropped gets a `Truncated` event per stream.
"""

from __future__ import annotations

import bisect
import math

from fenced._proto.runner.v1 import runner_pb2 as pb


class EventBuffer:
    """Events of one execution, oldest first. Output is a list read from `_head` on (dropping the oldest
    only moves it), so a watcher's place is found by bisection, not by walking the buffer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.started: pb.Event | None = None
        self.exited: pb.Event | None = None
        self.notes: list[pb.Event] = []  # warnings: few, always kept
        self._outputs: list[pb.Event] = []
        self._head = 0  # index of the oldest output kept
        self.buffered = 0  # output bytes held
        self.dropped_through = 0  # highest seq dropped
        self.first_kept_offset = {pb.STREAM_STDOUT: 0, pb.STREAM_STDERR: 0}
        self.dropped_seq = {pb.STREAM_STDOUT: 0, pb.STREAM_STDERR: 0}  # highest dropped seq per stream
        self.last_seq = 0  # of the newest event added (a session numbers its events in order)

    def add(self, event: pb.Event) -> None:
        self.last_seq = max(self.last_seq, event.seq)
        kind = event.WhichOneof("kind")
        if kind == "started":
            self.started = event
        elif kind == "exited":
            self.exited = event
        elif kind == "warning":
            self.notes.append(event)
        else:
            self._outputs.append(event)
            self.buffered += len(event.output.data)

    @property
    def outputs(self) -> list[pb.Event]:
        return self._outputs[self._head :]

    @property
    def over_limit(self) -> bool:
        return self.buffered > self.limit

    def trim(self, evictable_through: float) -> bool:
        """Drop oldest output while over the limit and its seq <= `evictable_through` (the newest chunk
        stays, so a replay never starts empty). True unless output nobody has been sent is over the limit."""
        outputs, end = self._outputs, len(self._outputs)
        while (
            self.buffered > self.limit
            and end - self._head > 1
            and outputs[self._head].seq <= evictable_through
        ):
            event = outputs[self._head]
            self._head += 1
            out = event.output
            self.buffered -= len(out.data)
            self.dropped_through = event.seq
            self.dropped_seq[out.stream] = event.seq
            self.first_kept_offset[out.stream] = out.offset + len(out.data)
        if self._head > 32 or self._head * 2 > end:  # let dropped output go (a list holds it)
            del outputs[: self._head]
            self._head = 0
        return self.buffered <= self.limit or outputs[-1].seq <= evictable_through

    def after(
        self, cursor: int, execution_id: str, max_bytes: float = math.inf
    ) -> tuple[list[pb.Event], int]:
        """Events with seq > cursor in seq order, preceded by `Truncated` for streams the cursor lost, with
        about `max_bytes` of output at most; and the seq up to which that is complete (all of them: inf)."""
        events: list[pb.Event] = []
        if self.started is not None and self.started.seq > cursor:
            events.append(self.started)
        for stream, seq in self.dropped_seq.items():
            if seq > cursor:
                events.append(
                    pb.Event(
                        seq=seq,
                        execution_id=execution_id,
                        truncated=pb.Truncated(stream=stream, offset=self.first_kept_offset[stream]),
                    )
                )
        events.extend(note for note in self.notes if note.seq > cursor)
        outputs = self._outputs
        index = bisect.bisect_right(outputs, cursor, lo=self._head, key=lambda e: e.seq)
        size, complete_through = 0, math.inf
        while index < len(outputs):
            event = outputs[index]
            if size >= max_bytes:
                complete_through = outputs[index - 1].seq
                break
            size += len(event.output.data)
            events.append(event)
            index += 1
        if self.exited is not None and self.exited.seq > cursor:
            events.append(self.exited)
        events.sort(key=lambda e: e.seq)
        if complete_through != math.inf:
            events = [e for e in events if e.seq <= complete_through]
        return events, complete_through  # type: ignore[return-value]
