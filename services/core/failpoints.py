"""Failpoints for the fault suite: named places where a process can be made to die, so a
test proves what happens when it dies exactly there (between an effect and its ack, say).

Off unless the `FAILPOINTS` environment variable names one, e.g.
`FAILPOINTS=consumer.after_effect=kill@3`: the third time the place is passed the process is
killed with SIGKILL, as the kernel's OOM killer or a pulled plug would. Never with ENV=production.
"""

import os
import signal
from functools import cache

_passed: dict[str, int] = {}


@cache
def _armed() -> dict[str, int]:
    if os.environ.get("ENV") == "production":
        return {}
    armed = {}
    for item in filter(None, os.environ.get("FAILPOINTS", "").split(",")):
        name, _, action = item.partition("=")
        if action.startswith("kill@") and action[5:].isdigit():
            armed[name.strip()] = int(action[5:])
    return armed


def reached(name: str) -> None:
    """The process passes `name`: die here if a test armed it for this pass."""
    when = _armed().get(name)
    if when is None:
        return
    _passed[name] = _passed.get(name, 0) + 1
    if _passed[name] == when:
        os.kill(os.getpid(), signal.SIGKILL)
