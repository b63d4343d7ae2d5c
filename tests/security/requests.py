"""What each cell sends: path values, query and body per operation, valid so that a request
reaches the access check (a malformed body would be refused before it)."""

import re
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import PASSWORD
from tests.media.samples import jpeg
from tests.security.policy import ROLES
from tests.security.world import CHANNEL_KEY, PHONE_A, PHONE_B, REPORT, TOWN

OTHER_PHONE = "13955556666"
TEXT = {"text": "已与诉求人电话联系，正在处理。"}
REASON = {"reason": "矩阵测试：理由说明"}
ACTION_BODIES = {
    "reject": {"reason_code": "petition"},
    "request_info": {"missing": "请补充垃圾堆放的具体位置"},
    "set_urgency": {"urgency": "urgent"},
    "contact": TEXT, "reply": TEXT, "submit_part": TEXT, "supervise": TEXT,
    "answer_supervision": TEXT,
    "submit_completion": {"result": "已清运垃圾并增设垃圾桶"},
    "return_internal": REASON, "send_back": REASON, "request_return": REASON,
    "deny_return": REASON, "deny_extension": REASON,
}
# Path parameters whose name alone does not say which of the world's values they take.
RENAMED = {
    ("routing", "/v1/categories/{code}"): {"code": "category"},
    ("media", "/v1/media/{media_id}/complete"): {"media_id": "upload_id"},
    ("notify", "/v1/templates/{kind}/{audience}/{channel}"): {"kind": "template"},
    **{("intake", f"/open311/v2/requests/{{service_request_id}}.{fmt}"): {"service_request_id": "number"}
       for fmt in ("xml", "json")},
}
FIXED = {"kind": "overdue", "template": "ticket.accepted", "audience": "citizen", "channel": "sms",
         "year": "2090", "provider": "aliyun", "service_code": "municipal.streetlight",
         "token": "3b0c8e2a-9d4f-4a51-8f0e-6c2d1b7a9e55", "case_id": "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"}
PARAMETER = re.compile(r"{(\w+)}")


def path_values(world, service: str, path: str, *, ticket: str | None = None) -> dict:
    """The concrete value of each path parameter: the world's things, or a fresh ticket."""
    known = {**FIXED, **world.values, **({"number": ticket, "ticket": ticket} if ticket else {})}
    renamed = RENAMED.get((service, path), {})
    return {name: known[renamed.get(name, name)] for name in PARAMETER.findall(path)}


def _phone(role: str, base: int) -> str:
    return f"1370{base:03d}{list(ROLES).index(role):04d}"


async def _sms_code(world, role):
    return {"json": {"phone": _phone(role, 1)}}


async def _citizen_token(world, role):
    phone = _phone(role, 2)
    return {"json": {"phone": phone, "code": await world.sms_code(phone)}}


async def _report(world, role):
    contact = {"citizen_a": REPORT["contact"], "citizen_b": {"name": "王五", "phone": PHONE_B}}
    return {"json": {**REPORT, "contact": contact.get(role, {"name": "赵六", "phone": OTHER_PHONE})}}


async def _template(world, role):
    path = "/v1/templates/{template}/{audience}/{channel}".format(**FIXED)
    current = await world.call("notify", "GET", path)
    return {"json": current.json()["template"]}


async def _open311_request(world, role):
    """A whole Open311 request; only the channel puts its key in `api_key`, as Open311 asks."""
    form = {"jurisdiction_id": "532622", "service_code": "municipal.streetlight",
            "description": "矩阵测试：振兴街路灯不亮", "lat": "23.61", "long": "104.33",
            "first_name": "赵", "last_name": "六", "phone": OTHER_PHONE}
    if role == "channel":
        form["api_key"] = CHANNEL_KEY
    return {"data": form}


async def _attachments(world, role):
    return {"json": {"media_ids": [world.values["media_id"]]}}


def _fixed(**kwargs):
    async def make(world, role):
        return kwargs
    return make


async def _extension(world, role):
    return {"json": {"deadline": (datetime.now(UTC) + timedelta(days=20)).isoformat(), **REASON}}


async def _merge(world, role):  # into citizen A's ticket, the master
    return {"json": {"master_number": world.values["number"]}}


def _about_the_ticket(name: str):
    async def make(world, role):
        return {"params": {name: world.values["number"]}}
    return make


def _new(path: str):
    """A unit, category or rule of the administrator's own (never one tickets are routed by)."""
    async def make(world, role):
        suffix, unit, category = (world.values[k] for k in ("suffix", "code", "category"))
        return {"json": {
            "/v1/units": {"code": f"sec2-{suffix}", "name": "矩阵测试单位二", "kind": "department",
                          "region_code": "532622"},
            "/v1/categories": {"code": f"matrixb_{suffix}", "name": "矩阵测试分类二"},
            "/v1/rules": {"category": category, "region_prefix": "532622", "town_code": TOWN,
                          "lead": unit},
        }[path]}
    return make


REQUESTS = {
    ("intake", "POST", "/v1/auth/sms-code"): _sms_code,
    ("intake", "POST", "/v1/auth/citizen-token"): _citizen_token,
    ("intake", "POST", "/v1/auth/staff-token"):
        _fixed(json={"username": "agent-532622", "password": PASSWORD}),
    ("intake", "POST", "/v1/tickets"): _report,
    ("intake", "GET", "/v1/tickets/{number}/progress"): _fixed(params={"phone_last4": PHONE_A[-4:]}),
    ("intake", "POST", "/v1/tickets/{number}/supplement"): _fixed(json={"content": "垃圾点在菜市场东门"}),
    ("intake", "POST", "/v1/tickets/{number}/evaluation"):
        _fixed(json={"resolved": True, "satisfaction": "satisfied"}),
    ("intake", "GET", "/v1/queue"): _fixed(params={"limit": 200}),
    ("intake", "POST", "/v1/me/views"): _fixed(json={"name": "矩阵测试视图", "query": "status=assigned"}),
    ("routing", "POST", "/v1/tickets/{ticket}/dispatch"): _fixed(json={"lead": TOWN}),
    ("routing", "GET", "/v1/assignments"): _fixed(params={"unit": TOWN, "state": "all", "limit": 200}),
    ("routing", "POST", "/v1/classify"): _fixed(json={"text": "路灯坏了一个星期"}),
    ("routing", "PATCH", "/v1/units/{code}"): _fixed(json={"name": "矩阵测试单位（改）"}),
    ("routing", "PATCH", "/v1/categories/{code}"): _fixed(json={"name": "矩阵测试分类（改）"}),
    ("routing", "PATCH", "/v1/rules/{rule_id}"): _fixed(json={"priority": 1}),
    ("sla", "GET", "/v1/calendar/deadline"):
        _fixed(params={"start": "2026-11-02T09:00:00+08:00", "working_days": 5}),
    ("sla", "PUT", "/v1/calendar/{year}"): _fixed(json={"holidays": [], "workdays": []}),
    ("sla", "PUT", "/v1/policies"): _fixed(json={"clocks": []}),
    ("notify", "PUT", "/v1/templates/{kind}/{audience}/{channel}"): _template,
    ("notify", "POST", "/v1/callbacks/{provider}"): _fixed(json=[]),
    ("notify", "GET", "/v1/callbacks/wechat"): _fixed(params={"echostr": "matrix"}),
    ("media", "POST", "/v1/media"): _fixed(files={"file": ("photo.jpg", jpeg(), "image/jpeg")}),
    ("media", "POST", "/v1/media/uploads"):
        _fixed(json={"kind": "video", "content_type": "video/mp4", "size": 1024}),
    ("intake", "POST", "/v1/tickets/{number}/actions/request_extension"): _extension,
    ("intake", "POST", "/v1/tickets/{number}/actions/merge"): _merge,
    ("intake", "GET", "/v1/search/tickets"): _about_the_ticket("q"),
    ("notify", "GET", "/v1/messages"): _about_the_ticket("ticket"),
    **{("routing", "POST", path): _new(path) for path in ("/v1/units", "/v1/categories", "/v1/rules")},
    ("intake", "GET", "/v1/public/tickets/{number}"): _fixed(params={"phone_tail": PHONE_A[-4:]}),
    ("intake", "POST", "/v1/tickets/{number}/publication"): _fixed(json={
        "title": "矩阵测试公开案例", "body": "菜市场门口垃圾堆放问题。", "reply": "已清运。", "photos": []}),
    ("intake", "POST", "/v1/auth/wechat"): _fixed(json={"code": "matrix-code", "phone_code": "matrix-phone"}),
    ("intake", "POST", "/v1/tickets/{number}/attachments"): _attachments,
    ("routing", "POST", "/v1/knowledge"): _fixed(json={
        "title": "矩阵测试问答二", "body": "矩阵测试的答复正文，只为访问控制而建。", "category": "municipal"}),
    ("routing", "PATCH", "/v1/knowledge/{item_id}"): _fixed(json={"title": "矩阵测试问答（改）"}),
    ("routing", "GET", "/v1/public/knowledge"): _fixed(params={"q": "社保卡补办"}),
    ("routing", "GET", "/v1/public/nearby"): _fixed(params={"lat": 23.61, "lng": 104.33}),
    **{("intake", "POST", f"/open311/v2/requests.{fmt}"): _open311_request for fmt in ("xml", "json")},
    **{(service, "POST", "/v1/dead-letters/replay"): _fixed(json={"event_ids": []})
       for service in ("intake", "routing", "sla", "notify", "media")},
}


async def request_kwargs(world, service: str, method: str, path: str, role: str) -> dict:
    """Query, JSON body or files for one cell."""
    if (service, method, path) in REQUESTS:
        return await REQUESTS[service, method, path](world, role)
    if "/actions/" in path:
        return {"json": ACTION_BODIES.get(path.rsplit("/", 1)[1], {})}
    return {}
