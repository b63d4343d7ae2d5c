"""asyncio helpers for the loops every service runs."""

import asyncio


def stopping() -> bool:
    """Whether this task was asked to stop. A loop that carries on after `except Exception`
    asks this first: a library may have turned our CancelledError into an error of its own on
    the way up (a cancelled query or publish), and a loop that swallowed it would keep the
    process from shutting down."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def cancel_all(tasks: list[asyncio.Task], timeout: float = 10.0) -> list[asyncio.Task]:
    """Cancel tasks and wait for them, at most `timeout` seconds; those that did not end."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    return list(pending)
