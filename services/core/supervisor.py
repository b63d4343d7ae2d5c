"""`make run`'s supervisor: every process of a Procfile, each restarted with backoff when it dies.

honcho stopped everything when one process exited; a platform whose notify crashed should
keep taking citizens' reports, as compose's `restart: unless-stopped` does in production.
Ctrl-C (SIGINT) or SIGTERM stops them all.
"""

import asyncio
import os
import shlex
import signal
import sys
from dataclasses import dataclass

BACKOFF_START, BACKOFF_MAX = 1.0, 30.0
STABLE_SECONDS = 30.0  # a process that lived this long starts its backoff afresh
COLOURS = (36, 33, 32, 35, 34, 31, 96, 93)


@dataclass
class Entry:
    name: str
    command: str


def read_procfile(text: str) -> list[Entry]:
    """`name: command` lines; blank lines and comments skipped."""
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            name, command = line.split(":", 1)
            entries.append(Entry(name.strip(), command.strip()))
    return entries


class Supervisor:
    """Runs entries side by side; a dead one is started again after 1, 2, 4 … 30 s."""

    def __init__(self, entries: list[Entry], *, cwd: str | None = None, out=sys.stdout,
                 backoff_start: float = BACKOFF_START, backoff_max: float = BACKOFF_MAX):
        self.entries, self.cwd, self.out = entries, cwd, out
        self.backoff_start, self.backoff_max = backoff_start, backoff_max
        self.width = max((len(e.name) for e in entries), default=4)
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.starts: dict[str, int] = {e.name: 0 for e in entries}
        self.stopping = asyncio.Event()
        # Children write into a pipe; a person reads it at a terminal: readable lines for them.
        console = getattr(out, "isatty", lambda: False)()
        self.env = {**os.environ, **({"LOG_FORMAT": "console"} if console else {})}

    def say(self, index: int, name: str, text: str) -> None:
        colour = COLOURS[index % len(COLOURS)]
        self.out.write(f"\x1b[{colour}m{name:<{self.width}} |\x1b[0m {text}\n")
        self.out.flush()

    async def run(self) -> None:
        """Until stopped: every entry running, each watched by its own task."""
        watchers = [asyncio.create_task(self._keep(i, e)) for i, e in enumerate(self.entries)]
        await self.stopping.wait()
        for process in self.processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        await asyncio.gather(*(p.wait() for p in self.processes.values()))
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)

    def stop(self) -> None:
        self.stopping.set()

    async def _keep(self, index: int, entry: Entry) -> None:
        delay = self.backoff_start
        while not self.stopping.is_set():
            started = asyncio.get_running_loop().time()
            code = await self._once(index, entry)
            if self.stopping.is_set():
                return
            if asyncio.get_running_loop().time() - started >= STABLE_SECONDS:
                delay = self.backoff_start
            self.say(index, entry.name, f"exited with {code}; restarting in {delay:g} s")
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, self.backoff_max)

    async def _once(self, index: int, entry: Entry) -> int:
        process = await asyncio.create_subprocess_exec(
            *shlex.split(entry.command), cwd=self.cwd, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        self.processes[entry.name] = process
        self.starts[entry.name] += 1
        self.say(index, entry.name, f"started (pid {process.pid})")
        async for line in process.stdout:
            self.say(index, entry.name, line.decode("utf-8", "replace").rstrip())
        return await process.wait()


async def supervise(entries: list[Entry], cwd: str | None = None) -> None:
    """Run the entries until SIGINT or SIGTERM."""
    supervisor = Supervisor(entries, cwd=cwd)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, supervisor.stop)
    await supervisor.run()
