"""Pulls a plugin's chunk iterator and sends it to the host: coalescing and flow control.

- Coalescing: the job thread pulls chunks and appends them to a pending buffer; one writer
  thread sends whatever is pending as one `stream_chunk` message. While a send is being written,
  new chunks pile up and travel together in the next one, so a slow plugin's chunks each go at
  once and a fast plugin's travel in few large messages.
- Flow control (credit-based, as the TypeScript worker): with a window, the pump stops pulling
  from the plugin once `window` characters are sent but not acknowledged by `stream_ack`, so a
  slow consumer on the host side slows the plugin down (it waits at its `yield`).
"""

from __future__ import annotations

import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, List, Optional, Tuple

from .channel import Channel, encode_message
from .errors import CodedError, Messages, ResultErrorCode, describe
from .job import JobCancelled, JobContext
from .json_safe import js_length


class ChunkWriter:
    """The one thread that writes stream chunks, shared by the jobs of a worker (one at a time)."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.cond = threading.Condition()
        self._queue: List["StreamPump"] = []
        self._thread: Optional[threading.Thread] = None

    def schedule(self, pump: "StreamPump") -> None:
        """Called with `cond` held: `pump` has pending text."""
        if pump.scheduled:
            return
        pump.scheduled = True
        self._queue.append(pump)
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="plugwork-chunk-writer", daemon=True
            )
            self._thread.start()
        self.cond.notify_all()

    def unschedule(self, pump: "StreamPump") -> None:
        """Called with `cond` held: forget `pump`'s pending text (the job is over)."""
        if pump.scheduled:
            pump.scheduled = False
            self._queue.remove(pump)

    def _run(self) -> None:
        cond = self.cond
        while True:
            with cond:
                while not self._queue:
                    cond.wait()
                pump = self._queue[0]
                pieces, length = pump.take()
                if not pump.pending:
                    self._queue.pop(0)
                    pump.scheduled = False
                text = "".join(pieces)
                pump.in_flight += length
                pump.writing = True
            try:
                self.channel.send(
                    {
                        "type": "stream_chunk",
                        "job_id": pump.job.job_id,
                        "chunk": text,
                        "is_final": False,
                        "metadata": {},
                    }
                )
            except Exception as error:  # noqa: BLE001 - the job ends with it (see run())
                pump.failure = CodedError(
                    ResultErrorCode.SEND_FAILED,
                    Messages.send_failed("result or output", describe(error)),
                )
            with cond:
                pump.writing = False
                cond.notify_all()


class StreamPump:
    """One streaming job's pump. `run` executes on the job thread; `ack` on the main thread."""

    def __init__(
        self,
        job: JobContext,
        writer: ChunkWriter,
        window: Optional[int],
        chunk_bytes: Optional[int] = None,
    ) -> None:
        self.job = job
        self._writer = writer
        self._window = window
        self._chunk_bytes = chunk_bytes
        self.pending: List[str] = []
        self.pending_length = 0
        self.in_flight = 0
        self.scheduled = False
        self.writing = False
        #: A send that failed (the channel refused it): run() ends the job with it.
        self.failure: Optional[BaseException] = None
        job.on_cancel(self._wake)

    def take(self) -> Tuple[List[str], int]:
        """Called by the writer with the lock held: the pending pieces for one message. With a
        chunk limit, coalescing stops before a message could exceed it (each UTF-16 unit costs
        at most 6 bytes of JSON)."""
        limit = self._chunk_bytes
        if limit is None:
            pieces, length = self.pending[:], self.pending_length
            self.pending.clear()
            self.pending_length = 0
            return pieces, length
        pieces: List[str] = []
        length = 0
        while self.pending:
            size = js_length(self.pending[0])
            if pieces and (length + size) * 6 + 2 > limit:
                break
            pieces.append(self.pending.pop(0))
            length += size
        self.pending_length -= length
        return pieces, length

    def _wake(self) -> None:
        with self._writer.cond:
            self._writer.cond.notify_all()

    def ack(self, consumed: int) -> None:
        """The host consumed `consumed` characters: that much more may be in flight."""
        with self._writer.cond:
            self.in_flight = max(0, self.in_flight - consumed)
            self._writer.cond.notify_all()

    def run(self, stream: Any) -> Tuple[int, int]:
        """Runs the stream to its end, then sends the final chunk. Returns (chunks, characters).

        Raises JobCancelled when the job is cancelled, after closing the plugin's generator (its
        `finally` blocks run).
        """
        iterator = _open_iterator(stream)
        job = self.job
        cond = self._writer.cond
        window = self._window
        chunks = 0
        characters = 0
        exhausted = False
        try:
            while True:
                if self.failure is not None:
                    raise self.failure
                if job.cancelled:
                    raise JobCancelled(Messages.cancelled_by_host(job.job_id))
                if window is not None and self.in_flight + self.pending_length >= window:
                    with cond:
                        while (
                            self.in_flight + self.pending_length >= window and not job.cancelled
                        ):
                            cond.wait()
                    continue
                try:
                    value = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                text = value if type(value) is str else str(value)
                if not text:
                    continue
                length = js_length(text)
                limit = self._chunk_bytes
                if limit is not None and length * 6 + 2 > limit:
                    size = len(encode_message(text, None)) - 1
                    if size > limit:
                        raise CodedError(
                            ResultErrorCode.CHUNK_TOO_LARGE, Messages.chunk_too_large(size, limit)
                        )
                chunks += 1
                characters += length
                with cond:
                    self.pending.append(text)
                    self.pending_length += length
                    self._writer.schedule(self)
        finally:
            if not exhausted:
                _close_quietly(iterator)
            with cond:
                if not exhausted:
                    self._writer.unschedule(self)
                # Everything the writer took goes out before the final chunk and the result.
                while self.scheduled or self.writing:
                    cond.wait()
                rest = "".join(self.pending)
                self.pending.clear()
                self.pending_length = 0
        if self.failure is not None:
            raise self.failure
        self._writer.channel.send(
            {
                "type": "stream_chunk",
                "job_id": job.job_id,
                "chunk": rest,
                "is_final": True,
                "metadata": {},
            }
        )
        return chunks, characters


def _open_iterator(stream: Any) -> Any:
    if isinstance(stream, str):
        # One chunk, not one per character.
        return iter((stream,))
    if hasattr(stream, "__aiter__") and not hasattr(stream, "__iter__"):
        from .async_support import sync_iterator

        return sync_iterator(stream)
    try:
        return iter(stream)
    except TypeError:
        raise CodedError(
            ResultErrorCode.PLUGIN_ERROR, Messages.not_iterable(type(stream).__name__)
        ) from None


def _close_quietly(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception:
        # The job already ends with the reason it was stopped; a failing cleanup adds nothing.
        pass

