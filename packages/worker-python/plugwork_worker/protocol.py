"""The seed's protocol types (shared/seed/protocol.ipynb.txt), as the seed defines them.

The dictionaries these classes build are the wire format, key for key: `to_dict()` of each is
exactly what travels as one line of JSON. The enums carry the seed's members plus plugwork's
additive extensions (CANCEL, STREAM_ACK, PROGRESS, PLUGINS_CHANGED), so every seed dictionary
stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Iterator, Optional, Protocol


class WorkerRequestType(Enum):
    """Types of requests sent to worker process."""

    INIT = "init"
    EXECUTE = "execute"
    RELOAD = "reload"
    UNLOAD = "unload"
    GET_STATE = "get_state"
    STOP = "stop"
    # Extensions: cooperative cancellation, and credit-based flow control of streams.
    CANCEL = "cancel"
    STREAM_ACK = "stream_ack"


class WorkerResponseType(Enum):
    """Types of responses from worker process."""

    READY = "ready"
    RESULT = "result"
    STREAM_CHUNK = "stream_chunk"
    RESPONSE = "response"
    STATE = "state"
    ERROR = "error"
    # Extensions: progress reports, and a catalogue that changed while the worker ran.
    PROGRESS = "progress"
    PLUGINS_CHANGED = "plugins_changed"


@dataclass
class WorkerRequest:
    """Base structure for worker requests."""

    type: WorkerRequestType
    data: Dict[str, Any]

    def to_dict(self) -> Dict[str, Any]:
        """Convert to dictionary for queue serialization."""
        return {"type": self.type.value, **self.data}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "WorkerRequest":
        """Create from dictionary received from queue."""
        req_type = WorkerRequestType(data["type"])
        request_data = {k: v for k, v in data.items() if k != "type"}
        return cls(type=req_type, data=request_data)


@dataclass
class WorkerResponse:
    """Base structure for worker responses."""

    type: WorkerResponseType
    data: Dict[str, Any]

    def to_dict(self) -> Dict[str, Any]:
        """Convert to dictionary for queue serialization."""
        return {"type": self.type.value, **self.data}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "WorkerResponse":
        """Create from dictionary received from queue."""
        resp_type = WorkerResponseType(data["type"])
        response_data = {k: v for k, v in data.items() if k != "type"}
        return cls(type=resp_type, data=response_data)


@dataclass
class WorkerStreamChunk:
    """Structure for streaming job results."""

    job_id: str  # Unique identifier for the job
    chunk: str  # Text chunk from streaming output
    is_final: bool = False  # Whether this is the final chunk
    metadata: Optional[Dict[str, Any]] = None  # Optional metadata

    def to_dict(self) -> Dict[str, Any]:
        """Convert to dictionary for queue serialization."""
        return {
            "type": WorkerResponseType.STREAM_CHUNK.value,
            "job_id": self.job_id,
            "chunk": self.chunk,
            "is_final": self.is_final,
            "metadata": self.metadata or {},
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "WorkerStreamChunk":
        """Create from a received stream_chunk dictionary (a plugwork addition to the seed)."""
        return cls(
            job_id=data["job_id"],
            chunk=data["chunk"],
            is_final=data.get("is_final", False),
            metadata=data.get("metadata"),
        )


@dataclass
class WorkerResult:
    """Structure for job execution results."""

    job_id: str  # Unique identifier for the job
    status: str  # 'success' or 'error'
    data: Optional[Dict[str, Any]] = None  # Result data on success
    error: Optional[str] = None  # Error message on failure

    def to_dict(self) -> Dict[str, Any]:
        """Convert to dictionary for queue serialization."""
        result: Dict[str, Any] = {
            "type": WorkerResponseType.RESULT.value,
            "job_id": self.job_id,
            "status": self.status,
        }
        if self.data is not None:
            result["data"] = self.data
        if self.error is not None:
            result["error"] = self.error
        return result

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "WorkerResult":
        """Create from a received result dictionary (a plugwork addition to the seed)."""
        return cls(
            job_id=data["job_id"],
            status=data["status"],
            data=data.get("data"),
            error=data.get("error"),
        )


class PluginManagerAdapter(Protocol):
    """
    Protocol that plugin managers must satisfy for worker integration.

    Uses structural subtyping (duck typing) - plugin managers don't need to
    explicitly inherit from this, they just need to implement these methods.

    plugwork's worker also uses these optional methods when an adapter has them:
    `get_diagnostics()` (a list of `{location, code, message, plugin_name?}` dicts for plugins
    that could not be offered), `get_loaded_plugins()`, `watch(on_change)` (returns a function
    that stops watching) and `dispose()`. Inside `execute_plugin` and `execute_plugin_stream`,
    `plugwork_worker.current_job()` gives the job's id, its cancellation flag and its progress
    reporter, so the seed's signatures stay as they are.
    """

    def discover_plugins(self) -> list:
        """Discover available plugins. Returns a list of plugin metadata/data objects."""
        ...

    def load_plugin(self, plugin_data: Any, config: Dict[str, Any]) -> None:
        """Load a plugin (one item of discover_plugins()) with its configuration dictionary."""
        ...

    def execute_plugin(self, plugin_name: str, **params) -> Any:
        """Execute a plugin with the job's parameters; returns its result."""
        ...

    def execute_plugin_stream(self, plugin_name: str, **params) -> Iterator[str]:
        """Execute a plugin with streaming output; yields string chunks."""
        ...

    def reload_plugin(self, plugin_name: str, config: Optional[Dict[str, Any]] = None) -> None:
        """Reload a plugin with new configuration (None to unload)."""
        ...

    def unload_plugin(self, plugin_name: str) -> None:
        """Unload a plugin to free resources."""
        ...

    def check_streaming_support(self, plugin_name: str) -> bool:
        """True if the plugin supports streaming execution."""
        ...


from .wire import ADAPTER_METHODS, RESERVED_EXECUTE_KEYS  # noqa: E402,F401 - re-exported
