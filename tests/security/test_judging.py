"""The matrix's judge can fail: each way a cell breaks the policy is caught."""

from types import SimpleNamespace

import httpx
import orjson

from services.core.problems import PROBLEM
from tests.security.matrix import Cell, judge

NUMBER, PHONE = "WS20261201000001", "13911112222"
WORLD = SimpleNamespace(personal=[PHONE], secrets=[PHONE, NUMBER], values={"number": NUMBER})


def answer(status: int, body, content_type: str = PROBLEM) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body), headers={"content-type": content_type})


def cell(outcome: str, method: str = "GET") -> Cell:
    return Cell("intake", method, "/v1/tickets/{number}", "citizen_b", outcome)


def test_a_refusal_that_names_the_ticket_leaks():
    found = judge(cell("404"), answer(404, {"detail": f"工单 {NUMBER} 无权查看"}), WORLD)

    assert found == [f"leaks {NUMBER!r}"]


def test_a_refusal_that_is_not_problem_json_is_caught():
    found = judge(cell("403"), answer(403, {"detail": "无权操作"}, "application/json"), WORLD)

    assert found == ["403 answered as 'application/json'"]


def test_a_role_let_in_where_the_policy_hides_the_ticket_is_caught():
    found = judge(cell("404"), answer(200, {"number": NUMBER}, "application/json"), WORLD)

    assert found and found[0].startswith("expected 404, got 200")


def test_a_blind_list_that_shows_the_ticket_leaks():
    found = judge(cell("blind"), answer(200, [{"number": NUMBER}], "application/json"), WORLD)

    assert found == [f"leaks {NUMBER!r}"]


def test_a_public_answer_may_name_the_ticket_but_not_the_phone():
    assert judge(cell("public"), answer(200, {"number": NUMBER}, "application/json"), WORLD) == []
    found = judge(cell("public"), answer(200, {"phone": PHONE}, "application/json"), WORLD)
    assert found == [f"shows {PHONE!r} to anyone"]


def test_an_allowed_write_may_meet_the_process_table_but_not_a_refusal():
    assert judge(cell("ok", "POST"), answer(409, {"detail": "状态不符"}), WORLD) == []
    assert judge(cell("ok", "POST"), answer(403, {"detail": "无权操作"}), WORLD)
    assert judge(cell("ok"), answer(409, {"detail": "状态不符"}), WORLD), "a read must answer 2xx"
    assert judge(cell("ok", "POST"), answer(500, {"detail": "boom"}), WORLD)


def test_a_list_that_should_show_the_ticket_but_does_not_is_caught():
    assert judge(cell("sees"), answer(200, [{"number": NUMBER}], "application/json"), WORLD) == []
    assert judge(cell("sees"), answer(200, [], "application/json"), WORLD)
