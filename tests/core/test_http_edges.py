"""The edge of every service: a database out of reach is a 503 to come back later, never a 500 or a hang."""

from bench.common import free_port
from services.core.testing import running
from services.intake.app import create_app


async def test_without_its_database_intake_says_come_back_later(settings):
    nowhere = settings.database_url.rsplit("@", 1)[0] + f"@127.0.0.1:{free_port()}/nowhere"
    app = create_app(settings.model_copy(update={"database_url": nowhere}))
    async with running(app) as client:
        login = await client.post("/v1/auth/staff-token", json={"username": "admin", "password": "x"})
        assert login.status_code == 503
        assert login.headers["content-type"] == "application/problem+json"
        assert login.headers["retry-after"] == "5"
        assert login.json()["detail"] == "系统繁忙，暂时无法处理您的请求，请稍后重试"
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("down")

