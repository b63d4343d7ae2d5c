"""Background loops stop when the process does, whatever a library makes of the cancellation."""

import asyncio

from services.core.aio import cancel_all
from services.core.runtime import every


async def test_a_loop_stops_even_when_a_library_turns_its_cancellation_into_an_error():
    running = asyncio.Event()

    async def query():  # as a driver may do: the cancelled call fails with an error of its own
        running.set()
        try:
            await asyncio.Event().wait()  # a call that only ends when cancelled
        except asyncio.CancelledError:
            raise ConnectionError("connection closed in the middle of operation") from None

    loop = asyncio.create_task(every(0.01, query, "test.loop"))
    await running.wait()

    assert await cancel_all([loop], timeout=5) == []
    assert loop.done()


async def test_a_loop_that_fails_goes_on():
    calls = []
    twice = asyncio.Event()

    async def failing():
        calls.append(1)
        if len(calls) == 2:
            twice.set()
        raise ConnectionError("database away")

    loop = asyncio.create_task(every(0.01, failing, "test.loop"))
    await asyncio.wait_for(twice.wait(), 5)
    assert await cancel_all([loop]) == []
