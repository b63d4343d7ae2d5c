"""make run's supervisor: a process that dies comes back, the others never notice."""

import asyncio
import io
import re
import sys

from services.core.consumer import wait_until
from services.core.supervisor import Entry, Supervisor, read_procfile


def test_a_procfile_is_read_line_by_line():
    text = "# the platform\nintake: python -m services.cli serve intake --port 8001\n\nconsole: x: y\n"
    assert read_procfile(text) == [Entry("intake", "python -m services.cli serve intake --port 8001"),
                                   Entry("console", "x: y")]


async def test_a_dead_process_is_restarted_and_the_rest_keep_running():
    # Runs until the supervisor stops it (no timer of its own).
    steady = Entry("steady", f"{sys.executable} -c 'import signal; print(\"up\", flush=True); signal.pause()'")
    crashy = Entry("crashy", f"{sys.executable} -c 'import sys; print(\"boom\"); sys.exit(3)'")
    out = io.StringIO()
    supervisor = Supervisor([steady, crashy], out=out, backoff_start=0.05, backoff_max=0.2)
    running = asyncio.create_task(supervisor.run())
    try:
        assert await wait_until(lambda: _now(supervisor.starts["crashy"] >= 3), timeout=20)
        first = supervisor.processes["steady"]
        assert supervisor.starts["steady"] == 1 and first.returncode is None
        log = re.sub(r"\x1b\[\d+m", "", out.getvalue())
        assert "crashy | boom" in log and "crashy | exited with 3; restarting in 0.05 s" in log
    finally:
        supervisor.stop()
        await asyncio.wait_for(running, timeout=20)
    assert all(p.returncode is not None for p in supervisor.processes.values())


async def _now(value: bool) -> bool:
    return value
