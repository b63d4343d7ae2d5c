"""Reading deploy/: the compose file, its .env.example, and the settings the code reads."""

import importlib
import importlib.util
import inspect
import re
from functools import cache
from pathlib import Path

import yaml
from pydantic_settings import BaseSettings

from services.cli import PORTS
from services.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
SCHEMA = Path(__file__).resolve().parents[3] / "shared/schemas/compose-spec.json"
CONSOLE = "console"
# The five APIs, each behind the gateway under /api/<service>/.
FIVE = tuple(name for name in PORTS if name != CONSOLE)
# Every long-running process of the image: the five and the staff console (served at /).
APPS = (*FIVE, CONSOLE)
# Containers that do their job and exit; everything else runs until stopped.
JOBS = {"migrate", "seed", "classifier", "minio-init"}
SECRETS = {"JWT_SECRET", "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "MINIO_ROOT_PASSWORD",
           "S3_SECRET_KEY", "NOTIFY_CALLBACK_TOKEN", "SMS_INBOUND_SECRET"}
# ${NAME}, ${NAME:-default}, ${NAME:?message} and $NAME, but not the escaped $$NAME.
_INTERPOLATION = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_DEFAULTED = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}")
_ENV_LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


@cache
def compose() -> dict:
    """deploy/compose.yaml as compose sees it before interpolation (YAML merges applied)."""
    return yaml.safe_load(COMPOSE.read_text())


def services() -> dict[str, dict]:
    return compose()["services"]


def image_services() -> dict[str, dict]:
    """The services run from the hotline image: the five, the console, and the jobs migrate,
    seed and classifier."""
    return {name: svc for name, svc in services().items() if "build" in svc}


def environment(service: dict) -> dict[str, str | None]:
    """A service's `environment`, as a mapping whichever form it is written in."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict((item.split("=", 1) + [None])[:2] for item in env)
    return env


def strings(node=...) -> list[str]:
    """Every key and value of the compose file: what compose interpolates (not comments)."""
    node = compose() if node is ... else node
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in (str(key), *strings(value))]
    if isinstance(node, list):
        return [text for item in node for text in strings(item)]
    return [node] if isinstance(node, str) else []


def interpolated() -> set[str]:
    """Every variable the compose file takes from deploy/.env or the shell."""
    return {name for text in strings() for name in _INTERPOLATION.findall(text)}


def interpolation_defaults() -> dict[str, set[str]]:
    """The defaults written as ${NAME:-default}, per variable."""
    found: dict[str, set[str]] = {}
    for text in strings():
        for name, default in _DEFAULTED.findall(text):
            found.setdefault(name, set()).add(default)
    return found


def passed_through() -> set[str]:
    """Variables listed without a value: deploy/.env's value if set there, else the code's."""
    return {name for svc in services().values() for name, value in environment(svc).items()
            if value is None}


def env_example() -> dict[str, tuple[str, bool]]:
    """NAME -> (value, commented out) for every variable deploy/.env.example shows."""
    shown = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := _ENV_LINE.match(line.strip()):
            shown[match[2]] = (match[3], bool(match[1]))
    return shown


def settings_classes(service: str) -> list[type[BaseSettings]]:
    """The settings a service's process reads: the core's, and its own settings.py if any."""
    classes: list[type[BaseSettings]] = [Settings]
    # The console's process also serves the citizen pages (services/console/h5) and reads their settings.
    for package in ([service, "console.h5"] if service == "console" else [service]):
        if service in APPS and importlib.util.find_spec(f"services.{package}.settings"):
            module = importlib.import_module(f"services.{package}.settings")
            classes += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                        if issubclass(cls, BaseSettings) and cls.__module__ == module.__name__]
    return classes


def env_names(cls: type[BaseSettings]) -> dict[str, str]:
    """Environment variable -> field name, as pydantic-settings looks them up."""
    prefix = cls.model_config.get("env_prefix", "")
    return {(prefix + name).upper(): name for name in cls.model_fields}


def code_default(cls: type[BaseSettings], field: str):
    info = cls.model_fields[field]
    return info.default_factory() if info.default_factory else info.default
