"""The plugin SDK: the Python counterpart of `definePlugin` from @plugwork/protocol.

A plugin folder's entry module sets a module-level `plugin`:

    from plugwork_worker import define_plugin

    def execute(params, ctx):
        ctx.report_progress(0.5, "half way")
        return {"text": params["text"].upper()}

    def stream(params, ctx):
        for word in params["text"].split():
            if ctx.cancelled:
                return
            yield word + " "

    plugin = define_plugin(name="shout", execute=execute, stream=stream)
"""

from __future__ import annotations

import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, Iterable, Optional

from .job import JobContext


class Plugin:
    """A plugin made by define_plugin. The folder adapter looks for it as `module.plugin`.

    Attributes (read-only): `name`; `execute(params, ctx)`, which returns a dict (sent as it
    is) or anything else (it becomes `{"text": ...}`) and may be `async def`; `description`;
    `setup(config)`, run once per load, whose return value is `ctx.state`; `stream(params, ctx)`,
    a generator (or async generator) of text chunks that makes the plugin a streaming plugin;
    `dispose(state, config)`, run on unload, reload and worker stop; `concurrency`, the jobs
    of this plugin one worker runs at once (None: one).
    """

    __slots__ = ("name", "execute", "description", "setup", "stream", "dispose", "concurrency")

    #: Marks plugins across copies of this package (a pip-installed one and a vendored one).
    __plugwork_plugin__ = True

    def __init__(
        self, name, execute, description=None, setup=None, stream=None, dispose=None, concurrency=None
    ):
        for key, value in (
            ("name", name),
            ("execute", execute),
            ("description", description),
            ("setup", setup),
            ("stream", stream),
            ("dispose", dispose),
            ("concurrency", concurrency),
        ):
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f'plugin "{self.name}" is read-only; define a new one instead')

    def __repr__(self) -> str:
        return f"Plugin(name={self.name!r}, streaming={self.stream is not None})"


def define_plugin(
    *,
    name: str,
    execute: Callable[[Dict[str, Any], "PluginContext"], Any],
    description: Optional[str] = None,
    setup: Optional[Callable[[Dict[str, Any]], Any]] = None,
    stream: Optional[Callable[[Dict[str, Any], "PluginContext"], Iterable[str]]] = None,
    dispose: Optional[Callable[[Any, Dict[str, Any]], Any]] = None,
    concurrency: Optional[int] = None,
) -> Plugin:
    """Defines a plugin. Assign the result to a module-level `plugin` in the entry module.

    `concurrency`: how many of its jobs one worker may run at once, each on a thread of its own
    (for plugins that wait on I/O or call code that releases the GIL; their jobs share the
    plugin's state, so it must be safe to use from several threads). Default 1: every job on
    the worker's loop thread, one at a time. The manifest's `plugwork.concurrency` wins.
    """
    if not isinstance(name, str) or not name:
        raise TypeError("define_plugin: `name` must be a non-empty string")
    if not callable(execute):
        raise TypeError(f'define_plugin: plugin "{name}" needs an `execute` function')
    for hook, value in (("setup", setup), ("stream", stream), ("dispose", dispose)):
        if value is not None and not callable(value):
            raise TypeError(f'define_plugin: `{hook}` of plugin "{name}" must be a function')
    if description is not None and not isinstance(description, str):
        raise TypeError(f'define_plugin: `description` of plugin "{name}" must be a string')
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise TypeError(
            f'define_plugin: `concurrency` of plugin "{name}" must be a whole number of at least 1'
        )
    return Plugin(
        name=name,
        execute=execute,
        description=description,
        setup=setup,
        stream=stream,
        dispose=dispose,
        concurrency=concurrency,
    )


def is_plugin(value: Any) -> bool:
    """True for a value made by define_plugin (in this or any other copy of the package)."""
    return getattr(type(value), "__plugwork_plugin__", False) is True and callable(
        getattr(value, "execute", None)
    )


class PluginContext:
    """What `execute` and `stream` receive besides the params: the job, the config, the state."""

    __slots__ = ("_job", "config", "state")

    def __init__(self, job: JobContext, config: Dict[str, Any], state: Any) -> None:
        self._job = job
        #: The config the plugin was loaded with.
        self.config = config
        #: Whatever `setup` returned (a model, a connection pool, a cache).
        self.state = state

    @property
    def job_id(self) -> str:
        return self._job.job_id

    @property
    def cancelled(self) -> bool:
        """True once the host asked to cancel this job: stop early and return."""
        return self._job.cancelled

    @property
    def cancel_event(self) -> threading.Event:
        """A threading.Event set on cancellation."""
        return self._job.cancel_event

    def report_progress(self, progress: float, message: Optional[str] = None) -> None:
        """How far the job has got, 0 to 1, with an optional message for people."""
        self._job.report_progress(progress, message)

    def raise_if_cancelled(self) -> None:
        """Raises JobCancelled when the job was cancelled."""
        self._job.raise_if_cancelled()

    def sleep(self, seconds: float) -> bool:
        """Sleeps up to `seconds`, waking at once on cancellation; True when cancelled."""
        return self._job.sleep(seconds)
