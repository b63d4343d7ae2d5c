"""The Dockerfile: one slim image, non-root, its healthcheck works, the install is complete."""

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from services.console.h5.pages import VENDOR_FILES as H5_VENDOR_FILES
from services.console.pages import VENDOR_FILES
from tests.deploy.deployment import APPS, ROOT, environment, services

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [tuple(line.strip().split(None, 1)) for line in joined.splitlines() if line.strip()]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def stages() -> list[dict]:
    """Each stage: its base image, its name (FROM ... AS name) and its instructions."""
    found = []
    for op, args in instructions():
        if op == "FROM":
            base, *alias = args.split()
            found.append({"base": base, "name": alias[1] if alias else None, "steps": []})
        else:
            found[-1]["steps"].append((op, args))
    return found


def healthcheck_command() -> list[str]:
    (args,) = [args for op, args in final_stage() if op == "HEALTHCHECK"]
    return json.loads(args.split("CMD", 1)[1])


def test_slim_python_311_in_every_python_stage_and_no_dev_extras():
    bases = [stage["base"] for stage in stages()]
    # Node only fetches the console's and the citizen pages' front-end files; the services run on Python.
    assert sorted(set(bases)) == ["node:20-slim", "python:3.11-slim"]
    assert bases.count("node:20-slim") == 2 and bases[-1] == "python:3.11-slim"
    installs = [args for op, args in instructions() if op == "RUN" and "pip install" in args]
    assert installs and all("pip install ." in run and "[dev]" not in run for run in installs)


def test_the_services_run_as_a_non_root_user():
    users = [args for op, args in final_stage() if op == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_the_default_command_serves_the_service_named_by_the_environment():
    (cmd,) = [json.loads(args) for op, args in final_stage() if op == "CMD"]
    assert 'python -m services.cli serve "$SERVICE" --port "$PORT"' in cmd[-1]
    for name in APPS:
        assert "command" not in services()[name], f"{name} should run the image's command"


def test_compose_checks_health_exactly_as_the_image_does():
    for name in APPS:
        assert services()[name]["healthcheck"]["test"] == ["CMD", *healthcheck_command()]


def test_each_service_and_the_console_listen_on_a_port_the_image_exposes():
    (exposed,) = [args.split() for op, args in final_stage() if op == "EXPOSE"]
    assert sorted(exposed) == sorted(environment(services()[name])["PORT"] for name in APPS)


def _make_install_sources() -> set[str]:
    """What `make install` copies from node_modules into the console's static/vendor."""
    return set(re.findall(r"^\tcp \$\(CONSOLE\)/(node_modules/\S+) \$\(CONSOLE\)/static/vendor/?$",
                          (ROOT / "Makefile").read_text(), re.MULTILINE))


def test_the_image_builds_the_console_vendor_files_from_the_lockfile():
    """npm's files are not in git: a Node stage fetches them, the Python stage installs them."""
    (assets,) = [stage for stage in stages() if stage["base"].startswith("node:")
                 and stage["name"] == "assets"]
    copied = [args.split() for op, args in assets["steps"] if op == "COPY"]
    assert ["services/console/package.json", "services/console/package-lock.json", "./"] in copied
    (run,) = [args for op, args in assets["steps"] if op == "RUN"]
    commands = [command.strip() for command in run.split("&&")]
    assert commands[0].startswith("npm ci --ignore-scripts")  # the lockfile, and no install scripts
    workdir = [args for op, args in assets["steps"] if op == "WORKDIR"][-1]
    # node_modules/<file> -> the directory it is copied into
    fetched = {source: posixpath.normpath(posixpath.join(workdir, words[-1]))
               for words in (c.split() for c in commands if c.startswith("cp "))
               for source in words[1:-1]}
    assert fetched and set(fetched) == _make_install_sources(), "the image and `make install` differ"

    (build,) = [stage for stage in stages()
                if any(op == "RUN" and "pip install ." in args for op, args in stage["steps"])]
    steps = build["steps"]
    (at,) = [i for i, (op, args) in enumerate(steps) if op == "COPY" and
             args.startswith(f"--from={assets['name']} ")]
    _, source, target = steps[at][1].split()
    assert posixpath.normpath(target) == "services/console/static/vendor"
    # pip installs what is there when it runs: the vendor files must be there first.
    assert at < next(i for i, (op, args) in enumerate(steps) if op == "RUN" and "pip install ." in args)
    # Every file the console refuses to start without (services/console/pages.py).
    for name in VENDOR_FILES:
        assert name.startswith("vendor/"), name
        wanted = name.removeprefix("vendor/")
        assert any(posixpath.basename(s) == wanted and d == posixpath.normpath(source)
                   for s, d in fetched.items()), f"the image lacks static/{name}"


def test_the_image_builds_the_h5_vendor_files_as_make_install_does():
    """The citizen pages' htmx and Leaflet: their own Node stage, the same files as `make install`."""
    (assets,) = [stage for stage in stages() if stage["name"] == "h5assets"]
    copied = [args.split() for op, args in assets["steps"] if op == "COPY"]
    assert ["services/console/h5/package.json", "services/console/h5/package-lock.json", "./"] in copied
    (run,) = [args for op, args in assets["steps"] if op == "RUN"]
    commands = [command.strip() for command in run.split("&&")]
    assert commands[0].startswith("npm ci --ignore-scripts")
    workdir = [args for op, args in assets["steps"] if op == "WORKDIR"][-1]
    copies = [c.split() for c in commands if c.startswith("cp ")]
    made = {posixpath.normpath(posixpath.join(workdir, words[-1], posixpath.basename(source)))
            for words in copies for source in words[1:-1]}
    makefile = (ROOT / "Makefile").read_text()
    assert {s for words in copies for s in words[1:-1]} == set(
        re.findall(r"\$\(H5\)/(node_modules/\S+)", makefile)), "the image and `make install` differ"
    (build,) = [stage for stage in stages()
                if any(op == "RUN" and "pip install ." in args for op, args in stage["steps"])]
    (source, target) = [args.split()[1:] for op, args in build["steps"]
                        if op == "COPY" and args.startswith("--from=h5assets ")][0]
    assert posixpath.normpath(target) == "services/console/h5/static/vendor"
    for name in H5_VENDOR_FILES:  # what services/console/h5 refuses to start without
        assert posixpath.join(posixpath.normpath(source), name.removeprefix("vendor/")) in made, name


class _Service(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_healthcheck_passes_only_when_healthz_answers_ok(status, healthy):
    handler = type("Handler", (_Service,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        command = [sys.executable, *healthcheck_command()[1:]]
        env = {**os.environ, "PORT": str(server.server_address[1])}
        assert (subprocess.run(command, env=env, capture_output=True, timeout=10).returncode == 0) is healthy
    finally:
        server.shutdown()
        server.server_close()


def _ignored(rules: list[str], path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parents = [str(Path(*Path(path).parts[:n])) for n in range(1, len(Path(path).parts) + 1)]
    ignored = False
    for rule in rules:
        negate, pattern = rule.startswith("!"), rule.lstrip("!").rstrip("/")
        regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(regex, p) for p in parents):
            ignored = not negate
    return ignored


def test_the_build_context_holds_the_sources_and_never_the_secrets():
    text = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line.strip() for line in text if line.strip() and not line.startswith("#")]
    for path in ("pyproject.toml", "services/core/settings.py", "services/intake/templates/archive.html",
                 "services/console/package.json", "services/console/package-lock.json",
                 "services/console/static/console.css", "tests/routing/corpus/train.jsonl"):
        assert not _ignored(rules, path), path
    for path in ("deploy/.env", ".env", ".venv/bin/python", ".git/config", "var/s3/x",
                 "services/core/__pycache__/db.cpython-311.pyc", "tests/conftest.py",
                 "tests/routing/corpus/heldout.jsonl",
                 # This machine's npm files: the image fetches its own from the lockfile.
                 "services/console/node_modules/htmx.org/package.json",
                 "services/console/static/vendor/htmx.min.js"):
        assert _ignored(rules, path), path


def _installed(tmp_path: Path, files: list[str], made: dict[str, bytes] | None = None) -> set[str]:
    """The files a regular install of these (plus `made`, files a build step makes) carries."""
    source = tmp_path / "src"
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    for name, content in (made or {}).items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
    build = tmp_path / "lib"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "build_py", "--build-lib", str(build)], cwd=source, check=True,
                   capture_output=True)
    return {str(p.relative_to(build)) for p in build.rglob("*") if p.is_file()}


def _git_files(*options: str) -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", *options, "pyproject.toml", "services"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def test_the_install_carries_every_file_of_the_services(tmp_path):
    """A regular install (not the editable one of `make`) drops files pyproject does not list."""
    tracked = _git_files()
    installed = _installed(tmp_path, tracked)
    expected = {name for name in tracked if name.startswith("services/")}
    assert sorted(expected - installed) == []


def test_the_install_carries_the_console_vendor_files(tmp_path):
    """What the Node stage puts into static/vendor (git ignores it) is installed too."""
    files = _git_files("--cached", "--others", "--exclude-standard")
    made = {f"services/console/static/{name}": b"/* npm */" for name in VENDOR_FILES}
    made |= {f"services/console/h5/static/{name}": b"/* npm */" for name in H5_VENDOR_FILES}
    installed = _installed(tmp_path, files, made)
    assert sorted(set(made) - installed) == []


def test_the_image_carries_the_corpus_the_classifier_job_trains_on():
    copies = dict(reversed(args.split()[-2:]) for op, args in final_stage()
                  if op == "COPY" and "--from" not in args)
    job = services()["classifier"]
    corpus = job["command"][job["command"].index("--corpus") + 1]
    assert (ROOT / copies[corpus]).is_file()
    assert job["command"][:4] == ["python", "-m", "services.cli", "routing-train"]
    assert job["profiles"] == ["classifier"] and job["restart"] == "no"
