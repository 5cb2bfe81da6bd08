"""A bare ASGI receiver for the webhook benchmark: takes every POST with a 204, noting the event
id and the monotonic time of arrival; `GET /count` answers how many arrived, `GET /arrivals`
every (event id, time) pair. Run by bench/webhooks_bench.py under uvicorn, in a process of its
own so that the worker's figures do not include it."""

import json
import re
import time
from typing import Any

_EVENT_ID = re.compile(rb'"id":(\d+)')
ARRIVALS: list[tuple[int, float]] = []


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Any, status: int, body: bytes = b"") -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = await _body(receive)
    if scope["method"] == "POST":
        found = _EVENT_ID.search(body)
        ARRIVALS.append((int(found.group(1)) if found else -1, time.monotonic()))
        await _answer(send, 204)
    elif scope["path"] == "/count":
        await _answer(send, 200, str(len(ARRIVALS)).encode())
    else:
        await _answer(send, 200, json.dumps(ARRIVALS).encode())
