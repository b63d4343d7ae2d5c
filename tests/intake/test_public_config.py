"""GET /v1/public/config: what the citizen pages show before a report."""

from services.core.testing import running
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.intake.public import announce_directory


async def test_config_lists_counties_with_hotline_and_towns_and_the_category_tree(intake, settings, db):
    await announce_directory(settings, db)

    config = (await intake.get("/v1/public/config")).json()

    counties = {c["code"]: c for c in config["counties"]}
    assert counties["532622"]["name"] == "砚山县" and counties["532622"]["hotline"] == "12345"
    assert {"code": "532622100", "name": "江那镇"} in counties["532622"]["towns"]
    assert "532600" not in counties  # the prefecture is no county to report to
    tree = {c["code"]: c for c in config["categories"]}
    assert {"code": "municipal.noise", "name": "噪音扰民"} in tree["municipal"]["children"]
    assert "municipal.noise" not in tree


async def test_config_states_the_scope_and_the_request_types(intake):
    config = (await intake.get("/v1/public/config")).json()

    scope = config["acceptance"]
    assert [e["number"] for e in scope["emergencies"]] == ["110", "119", "120"]
    assert any("仲裁" in item for item in scope["not_accepted"])
    assert any("信访" in item for item in scope["not_accepted"])
    assert "110" in scope["notice"] and scope["accepted"]
    assert {"code": "complaint", "name": "投诉"} in config["request_types"]


async def test_a_county_hotline_is_configurable(settings, db):
    await announce_directory(settings, db)
    own = IntakeSettings(public_hotlines={"532601": "0876-12345"})
    async with running(create_app(settings, own)) as client:
        counties = {c["code"]: c for c in (await client.get("/v1/public/config")).json()["counties"]}
    assert counties["532601"]["hotline"] == "0876-12345" and counties["532622"]["hotline"] == "12345"
