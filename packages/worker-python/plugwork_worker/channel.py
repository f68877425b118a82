"""Newline-delimited JSON over the socket the host listens on: one message per line.

The socket carries messages only; plugin print() and logging go to stdout/stderr, separate pipes
the host forwards to its log, so nothing a plugin writes can corrupt the channel. One thread at a
time reads (the scheduler decides which); any thread may send (a lock keeps lines whole).
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
import socket
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, Optional

#: The host's limit for one line (DEFAULT_MAX_MESSAGE_BYTES of @plugwork/protocol): 16 MiB.
DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

_READ_SIZE = 1 << 16


#: What next_message returns once the host has closed the channel.
CLOSED = object()


class MessageTooLargeError(ValueError):
    """A message whose JSON is longer than the channel's limit; the host would drop it."""


# Made once: json.dumps with options builds a new encoder on every call, which shows on the
# hot path of a no-op job.
_encode = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode
_encode_ascii = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode

# A result's data was walked by json_safe (no cycle, nothing JSON cannot carry), so its line
# skips the encoder's cycle check; made once, it holds no state and any thread may call it.
_encode_checked_tree = json.encoder.c_make_encoder(
    None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ":", ",", False, False, False
) if json.encoder.c_make_encoder is not None else None


_quote = json.encoder.encode_basestring

# json.loads(bytes) guesses the encoding, decodes, and matches whitespace twice around the C
# scanner: a quarter of what a no-op job costs the loop to read. The host writes UTF-8 lines
# without a BOM, so the scanner is called directly; a line it does not take whole goes through
# json.loads after all, for its exact error.
_scan_once = json.scanner.make_scanner(json.JSONDecoder())


def decode_line(line: bytes) -> Any:
    """The JSON value of one line (as json.loads would give it); ValueError when it is not JSON."""
    try:
        text = line.decode("utf-8").strip(" \t\r")
        value, end = _scan_once(text, 0)
        if end == len(text):
            return value
    except (UnicodeDecodeError, StopIteration):
        pass
    return json.loads(line)


def encode_message(
    message: Dict[str, Any], max_bytes: Optional[int] = DEFAULT_MAX_MESSAGE_BYTES
) -> bytes:
    """One line of JSON, ended by a newline. Raises ValueError / TypeError for what JSON cannot
    carry, MessageTooLargeError past `max_bytes` (None: no limit)."""
    try:
        line = _encode(message).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; escaped, JSON carries it faithfully.
        line = _encode_ascii(message).encode("ascii")
    if max_bytes is not None and len(line) > max_bytes:
        raise MessageTooLargeError(
            f"the message is {len(line)} bytes of JSON, over the channel's limit of {max_bytes}"
        )
    return line + b"\n"


class Channel:
    """The worker's end of the socket channel."""

    def __init__(self, sock: socket.socket, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self._sock = sock
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._closed = False
        #: The host's secret from `init`: every message sent after it was read carries it.
        self.token: Optional[str] = None
        # What next_message has received and not yet returned.
        self._data = b""
        self._position = 0
        self._pending: list = []
        self._pending_length = 0
        self._skipping = False
        # encode_result's end of line, for the token it was made with.
        self._tail_token: Optional[str] = None
        self._tail = "}\n"

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def max_bytes(self) -> int:
        """The longest line the host accepts."""
        return self._max_bytes

    def encode(self, message: Dict[str, Any], max_bytes: Any = "channel") -> bytes:
        """The line `send` would write (with the token). `max_bytes`: the channel's limit by
        default; None to measure a line first and judge its size yourself."""
        if self.token is not None:
            message["token"] = self.token
        return encode_message(message, self._max_bytes if max_bytes == "channel" else max_bytes)

    def encode_checked(self, message: Dict[str, Any]) -> bytes:
        """`encode(message, None)` for a message whose values json_safe has checked (a result):
        the same line, without the cycle check they passed already."""
        if self.token is not None:
            message["token"] = self.token
        if _encode_checked_tree is None:
            return encode_message(message, None)
        try:
            return "".join(_encode_checked_tree(message, 0)).encode("utf-8") + b"\n"
        except UnicodeEncodeError:
            return encode_message(message, None)

    def encode_result(self, job_id: str, data: Dict[str, Any]) -> bytes:
        """`encode_checked` of a successful result, `{"type": "result", "job_id", "status":
        "success", "data"}`: the same line, with only `data` through the encoder (the envelope
        around it is always the same keys in the same order, and the job id a string)."""
        if _encode_checked_tree is not None:
            token = self.token
            if token is not self._tail_token:
                self._tail_token = token
                self._tail = "}\n" if token is None else f',"token":{_quote(token)}}}\n'
            try:
                return "".join(
                    (
                        '{"type":"result","job_id":',
                        _quote(job_id),
                        ',"status":"success","data":',
                        "".join(_encode_checked_tree(data, 0)),
                        self._tail,
                    )
                ).encode("utf-8")
            except UnicodeEncodeError:
                pass  # a lone surrogate: encode_checked escapes it
        return self.encode_checked(
            {"type": "result", "job_id": job_id, "status": "success", "data": data}
        )

    def send(self, message: Dict[str, Any]) -> bool:
        """Sends one message; False when the channel is closed. Raises what encode raises."""
        return self.send_line(self.encode(message))

    def send_line(self, line: bytes) -> bool:
        with self._lock:
            if self._closed:
                return False
            try:
                self._sock.sendall(line)
            except OSError:
                self._closed = True
                return False
        return True

    def next_message(
        self,
        on_bad_line: Callable[[str], None],
        wait_readable: Optional[Callable[[int], None]] = None,
    ) -> Any:
        """The next incoming message (blocks), or CLOSED once the host closed the socket.

        One thread at a time may call it (the scheduler passes the role); what was received
        beyond the message stays here for the next call, whichever thread makes it.
        `wait_readable(fd)`, when given, is called before each blocking receive and returns
        once the socket is readable (a reader that watches something else meanwhile).
        """
        while True:
            line = self._next_line(on_bad_line, wait_readable)
            if line is None:
                return CLOSED
            if not line.strip():
                continue
            try:
                return decode_line(line)
            except ValueError as error:
                on_bad_line(f"not JSON ({error}): {line[:200].decode('utf-8', 'replace')}")

    def _next_line(
        self,
        on_bad_line: Callable[[str], None],
        wait_readable: Optional[Callable[[int], None]],
    ) -> Optional[bytes]:
        while True:
            data = self._data
            position = self._position
            end = data.find(b"\n", position)
            if end >= 0:
                self._position = end + 1
                piece = data[position:end]
                if self._skipping:
                    self._skipping = False
                    continue
                pending = self._pending
                if pending:
                    pending.append(piece)
                    piece = b"".join(pending)
                    self._pending = []
                    self._pending_length = 0
                return piece
            if position < len(data) and not self._skipping:
                # Part of a line: kept in pieces (a long line would be copied over and over).
                rest = data[position:]
                self._pending.append(rest)
                self._pending_length += len(rest)
                if self._pending_length > self._max_bytes:
                    on_bad_line(f"a line longer than {self._max_bytes} bytes (dropped)")
                    self._pending = []
                    self._pending_length = 0
                    self._skipping = True
            try:
                if wait_readable is not None:
                    wait_readable(self._sock.fileno())
                data = self._sock.recv(_READ_SIZE)
            except OSError:
                data = b""
            if not data:
                self._closed = True
                self._data = b""
                self._position = 0
                return None
            self._data = data
            self._position = 0

    def shutdown_read(self) -> None:
        """Ends a read blocked on another thread (it sees the channel closed); sends still go."""
        try:
            self._sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass

    def close(self) -> None:
        self._closed = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
