"""The response of the server-sent event streams: sse-starlette's, with its per-send timeout
kept by one watchdog per event loop instead of a cancel scope around every send.

A stream's send returns at once unless the client's socket buffer is full (the server then
waits for it to drain). sse-starlette opens a cancel scope with a timer for every send, and an
event fanned out to thousands of subscribers of a process pays it thousands of times in a row,
though it can only fire for a client that stopped reading. Here a send registers its deadline
in a set (and leaves it when it returns); a timer, armed only while some send is under way,
looks at the set once a `_PERIOD` and cancels a send past its deadline, which then ends the
response with sse-starlette's own `SendTimeoutError`, as its cancel scope would. A slow client
is cut off within `send_timeout` + `_PERIOD` seconds instead of `send_timeout`."""

import asyncio
import weakref

from sse_starlette import EventSourceResponse
from sse_starlette.sse import SendTimeoutError
from starlette.types import Message, Send

_PERIOD = 1.0


class _PendingSend:
    __slots__ = ("deadline", "expired", "task")

    def __init__(self, task: "asyncio.Task[object]", deadline: float) -> None:
        self.task = task
        self.deadline = deadline
        self.expired = False


class SendWatchdog:
    """The sends under way on one event loop and their deadlines."""

    def __init__(self, loop: asyncio.AbstractEventLoop, period: float = _PERIOD) -> None:
        self._loop = loop
        self._period = period
        self._pending: set[_PendingSend] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, timeout: float) -> _PendingSend:
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("a send is watched from within a task")
        pending = _PendingSend(task, self._loop.time() + timeout)
        self._pending.add(pending)
        if self._timer is None:
            self._timer = self._loop.call_later(self._period, self._check)
        return pending

    def release(self, pending: _PendingSend) -> None:
        self._pending.discard(pending)

    def _check(self) -> None:
        self._timer = None
        now = self._loop.time()
        for pending in self._pending:
            if not pending.expired and pending.deadline <= now:
                pending.expired = True
                pending.task.cancel()
        if self._pending:
            self._timer = self._loop.call_later(self._period, self._check)


_watchdogs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SendWatchdog]" = (
    weakref.WeakKeyDictionary()
)


def send_watchdog() -> SendWatchdog:
    loop = asyncio.get_running_loop()
    watchdog = _watchdogs.get(loop)
    if watchdog is None:
        watchdog = _watchdogs[loop] = SendWatchdog(loop)
    return watchdog


class EventStreamResponse(EventSourceResponse):
    """`EventSourceResponse` whose sends (events and heartbeats alike) are timed by the
    watchdog of their event loop."""

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        if self.send_timeout is None:
            await super()._send_with_timeout(send, message)
            return
        watchdog = send_watchdog()
        pending = watchdog.watch(self.send_timeout)
        try:
            await send(message)
        except asyncio.CancelledError:
            self._send_interrupted = True
            if pending.expired:
                # The watchdog's cancellation, not the caller's: it ends here, as a timeout.
                pending.task.uncancel()
                raise SendTimeoutError() from None
            raise
        except BaseException:
            self._send_interrupted = True
            raise
        finally:
            watchdog.release(pending)
