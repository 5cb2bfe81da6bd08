"""The streams' response: a send the client does not take in time ends the stream; any other
send goes through untimed, and a cancellation from outside stays a cancellation."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sse_starlette.sse import SendTimeoutError
from starlette.types import Message

from kinerja_api.core.sse import EventStreamResponse, send_watchdog

SCOPE = {"type": "http", "method": "GET"}
FRAME = b"data: 1\r\n\r\n"


async def _frames(count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield FRAME
    await asyncio.Event().wait()  # a stream waiting for its next event


async def _connected() -> Message:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def test_a_send_the_client_does_not_take_in_time_ends_the_stream() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)
        if message.get("body") == FRAME and len(sent) == 3:
            await asyncio.Event().wait()  # the client stopped reading: its buffer is full

    response = EventStreamResponse(_frames(5), ping=0, send_timeout=0.2)
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(SendTimeoutError):
        await asyncio.wait_for(response(SCOPE, _connected, send), 5)
    assert 0.2 <= loop.time() - began < 2.5
    # The start, one frame taken, the one that stalled; no closing body after it.
    assert [m.get("body") for m in sent] == [None, FRAME, FRAME]
    assert not send_watchdog()._pending


async def test_sends_taken_at_once_are_never_timed_out() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    response = EventStreamResponse(_frames(3), ping=0, send_timeout=0.05)
    task = asyncio.create_task(response(SCOPE, _connected, send))
    await asyncio.sleep(1.5)  # past the timeout and a watchdog period: the stream lives on
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [m.get("body") for m in sent] == [None, FRAME, FRAME, FRAME]
    assert not send_watchdog()._pending


async def test_a_cancellation_during_a_send_stays_a_cancellation() -> None:
    sending = asyncio.Event()

    async def send(message: Message) -> None:
        if message.get("body") == FRAME:
            sending.set()
            await asyncio.Event().wait()

    response = EventStreamResponse(_frames(1), ping=0, send_timeout=30)
    task = asyncio.create_task(response(SCOPE, _connected, send))
    await asyncio.wait_for(sending.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not send_watchdog()._pending
