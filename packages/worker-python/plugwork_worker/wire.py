"""Names of the wire protocol the loop needs, without the seed's classes (so a worker starts
without importing dataclasses and enum machinery it does not use on the hot path)."""

#: Every request type, the seed's and plugwork's extensions (cancel, stream_ack).
REQUEST_TYPES = frozenset(
    ("init", "execute", "reload", "unload", "get_state", "stop", "cancel", "stream_ack")
)

#: Keys of an execute message that belong to the protocol; every other key is a job parameter.
RESERVED_EXECUTE_KEYS = ("type", "job_id", "plugin_name", "stream", "request_id")

#: The methods every adapter has (the seed's PluginManagerAdapter).
ADAPTER_METHODS = (
    "discover_plugins",
    "load_plugin",
    "execute_plugin",
    "execute_plugin_stream",
    "reload_plugin",
    "unload_plugin",
    "check_streaming_support",
)
