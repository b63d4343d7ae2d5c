"""deploy/compose.yaml: valid Compose, healthy start order, every setting given, scalable."""

import json

import pytest
from jsonschema import Draft7Validator

from services.cli import PORTS
from services.console.settings import ConsoleSettings
from tests.deploy.deployment import (
    APPS,
    CONSOLE,
    DEPLOY,
    FIVE,
    JOBS,
    SCHEMA,
    SECRETS,
    code_default,
    compose,
    env_example,
    env_names,
    environment,
    image_services,
    interpolated,
    interpolation_defaults,
    passed_through,
    services,
    settings_classes,
    strings,
)


def test_compose_file_is_valid_against_the_official_schema():
    assert SCHEMA.exists(), (
        f"The Compose schema is missing at {SCHEMA}: it ships beside the repository in "
        "../shared/schemas/compose-spec.json (see ../shared/DESIGN.md).")
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(compose())]
    assert errors == []


def test_the_platform_is_all_there():
    assert set(services()) == {*APPS, *JOBS, "postgres", "rabbitmq", "minio", "gateway"}
    assert services()["rabbitmq"]["image"].startswith("rabbitmq:3.13-management")
    assert services()["postgres"]["image"] == "postgres:16"
    assert "minio/minio" in services()["minio"]["image"]


def test_every_long_running_service_has_a_healthcheck():
    for name, svc in services().items():
        check = svc.get("healthcheck") or {}
        if name in JOBS:
            assert svc["restart"] == "no", name
            assert check in ({}, {"disable": True}), name
        else:
            assert not check.get("disable") and check.get("test"), f"{name} has no healthcheck"
            assert svc["restart"] == "unless-stopped", name


def test_the_services_healthchecks_ask_their_own_port():
    for name in APPS:
        svc = services()[name]
        assert "/healthz" in " ".join(svc["healthcheck"]["test"])
        assert "os.environ['PORT']" in " ".join(svc["healthcheck"]["test"])
        assert environment(svc)["PORT"] == str(PORTS[name])


@pytest.mark.parametrize("name", sorted(image_services()))
def test_every_process_of_the_image_gets_every_setting_it_reads(name):
    env = environment(services()[name])
    for cls in settings_classes(name):
        missing = sorted(set(env_names(cls)) - set(env))
        assert missing == [], f"{name} does not get {missing} ({cls.__module__}.{cls.__name__})"


def test_each_image_service_is_told_which_service_it_is():
    for name, svc in image_services().items():
        assert environment(svc)["SERVICE"] == name


def test_depends_on_waits_for_health_or_a_finished_job():
    for name, svc in services().items():
        for target, rule in (svc.get("depends_on") or {}).items():
            expected = "service_completed_successfully" if target in JOBS else "service_healthy"
            assert rule == {"condition": expected}, f"{name} -> {target}: {rule}"


def test_the_start_order():
    def needs(name):
        return set(services()[name].get("depends_on") or {})

    for name in FIVE:
        assert {"migrate", "postgres", "rabbitmq"} <= needs(name), name
    assert "minio-init" in needs("media")
    assert needs("migrate") == {"postgres", "rabbitmq"}  # it declares every queue too
    assert needs("minio-init") == {"minio"}
    # The console reads and acts only through the five; the gateway opens when all six answer.
    assert needs(CONSOLE) == set(FIVE)
    assert needs("gateway") == set(APPS)


def test_the_services_and_the_console_scale_with_no_fixed_name_or_host_port():
    for name in APPS:
        svc = services()[name]
        for key in ("container_name", "ports", "hostname"):
            assert key not in svc, f"{name} sets {key}: `--scale {name}=3` would clash"


def test_the_front_doors_outweigh_the_services_behind_them_for_cpu():
    # Citizens come in through intake, hotline agents and staff through the console.
    doors = {"intake", CONSOLE}
    shares = {name: int(services()[name].get("cpu_shares", 1024)) for name in APPS}
    for door in doors:
        assert shares[door] == 1024  # level with PostgreSQL and RabbitMQ, which it waits on
        assert all(shares[door] >= 8 * share for name, share in shares.items() if name not in doors)


def test_the_console_reaches_each_service_by_its_compose_name_and_port(monkeypatch):
    assert ConsoleSettings in settings_classes(CONSOLE)  # so it gets every setting it reads
    env = environment(services()[CONSOLE])
    for name in FIVE:
        monkeypatch.setenv(f"{name.upper()}_URL", env[f"{name.upper()}_URL"])
    urls = ConsoleSettings().service_urls()
    assert urls == {name: f"http://{name}:{environment(services()[name])['PORT']}" for name in FIVE}
    assert urls == {name: f"http://{name}:{PORTS[name]}" for name in FIVE}


def test_the_console_sets_secure_cookies_unless_told_it_is_development():
    # Its session cookie carries the person's token: HTTPS only, unless HOTLINE_ENV says otherwise.
    assert environment(services()[CONSOLE])["ENV"] == "${HOTLINE_ENV:-production}"
    assert env_example()["HOTLINE_ENV"] == ("production", False)
    secrets = {"jwt_secret": "x" * 32, "s3_secret_key": "y" * 32}
    assert ConsoleSettings(env="production", **secrets).secure_cookies
    assert not ConsoleSettings(env="development").secure_cookies


def test_all_six_run_from_one_image_built_from_the_repository():
    builds = {json.dumps(svc["build"], sort_keys=True) for svc in image_services().values()}
    images = {svc["image"] for svc in image_services().values()}
    assert len(builds) == len(images) == 1
    build = compose()["services"]["intake"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve().is_file()


def test_no_demo_data_unless_asked():
    seed = services()["seed"]
    assert seed["profiles"] == ["demo"]
    assert seed["command"][-1] == "seed"
    for name, svc in services().items():
        assert "seed" not in (svc.get("depends_on") or {}), name
        if name != "seed":
            assert "seed" not in (svc.get("command") or []), name


def test_data_lives_in_named_volumes():
    declared = set(compose()["volumes"])
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("rabbitmq", "/var/lib/rabbitmq"),
                       ("minio", "/data")):
        mounts = dict(v.split(":")[:2][::-1] for v in services()[name]["volumes"])
        assert mounts.get(path) in declared, f"{name} keeps {path} outside a named volume"


def test_files_the_compose_file_mounts_exist():
    for name, svc in services().items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{name} mounts missing {source}"


def test_the_bucket_is_created_by_the_init_job():
    script = (DEPLOY / "minio-init.sh").read_text()
    assert 'mc mb --ignore-existing "hotline/$S3_BUCKET"' in script
    assert environment(services()["minio-init"])["S3_BUCKET"] == "${S3_BUCKET:-hotline-media}"


def test_secrets_have_no_default_and_stop_compose_when_missing():
    text = "\n".join(strings())
    for name in SECRETS:
        uses = text.count("${" + name)
        assert uses and text.count("${" + name + ":?") == uses, f"{name} must be ${{{name}:?...}}"
        value, commented = env_example()[name]
        assert value == "" and not commented, f".env.example must leave {name} empty"


def test_env_example_documents_every_variable_the_compose_file_reads():
    documented = set(env_example())
    assert sorted(interpolated() - documented) == []
    assert sorted(passed_through() - documented) == []
    assert sorted(documented - interpolated() - passed_through()) == [], "stale entries"


def test_env_example_values_match_the_compose_defaults():
    shown = env_example()
    for name, defaults in interpolation_defaults().items():
        assert len(defaults) == 1, f"{name} has several defaults: {defaults}"
        assert shown[name] == (defaults.pop(), False), name


@pytest.mark.parametrize("name", sorted(image_services()))
def test_env_example_shows_the_code_defaults_of_passed_through_settings(name, monkeypatch):
    shown = env_example()
    for cls in settings_classes(name):
        for env_name, field in env_names(cls).items():
            if env_name not in passed_through():
                continue
            value, commented = shown[env_name]
            assert commented, f"{env_name}: leave the code's default in charge"
            if value:
                monkeypatch.setenv(env_name, value)
                assert getattr(cls(), field) == code_default(cls, field), env_name
                monkeypatch.delenv(env_name)
            else:
                assert code_default(cls, field) in ("", {}), f"{env_name}: show its default"
