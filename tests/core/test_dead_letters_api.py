"""Every service shows its dead letters to admins, and to no one else."""

from services.core.auth import Principal, Role, issue_token
from services.core.testing import running
from services.sla.app import create_app


def bearer(settings, role: Role, **claims) -> dict:
    token = issue_token(Principal(f"someone-{role.value}", role, **claims), settings.jwt_secret, 600)
    return {"Authorization": f"Bearer {token}"}


async def test_dead_letters_are_for_admins(settings):
    async with running(create_app(settings)) as sla:
        listed = await sla.get("/v1/dead-letters", headers=bearer(settings, Role.admin))
        assert listed.status_code == 200 and isinstance(listed.json(), list)
        refused = await sla.get("/v1/dead-letters",
                                headers=bearer(settings, Role.dispatcher, region="532622"))
        assert refused.status_code == 403
        assert (await sla.get("/v1/dead-letters")).status_code == 401
        replay = await sla.post("/v1/dead-letters/replay", json={"event_ids": ["nothing-here"]},
                                headers=bearer(settings, Role.admin))
        assert replay.status_code == 200 and replay.json() == {"replayed": []}
