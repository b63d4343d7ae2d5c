"""An Open311 `POST requests`: its form read into an ordinary ticket of the channel `open311`.

Each rule below answers Open311's way (400 what is wrong, 404 what is unknown) before
anything is written; the ticket then goes in through intake's own submission.
"""

import re

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import open311_services as services
from services.intake.open311_xml import Open311Error
from services.intake.schemas import EMAIL, LAT_RANGE, LNG_RANGE, PHONE, TicketIn

FIELDS = ("api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
          "email", "device_id", "account_id", "first_name", "last_name", "phone", "description",
          "media_url")
LIMITS = {"address_string": 200, "first_name": 25, "last_name": 25, "email": 254, "description": 4000,
          "media_url": 1000}
MAX_FIELD = 4000
TICKET_CONTENT = 2000  # TicketIn's own limit; Open311 allows 4,000, the ticket stores them all
ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\](\[\])?$")
MEDIA_URL = re.compile(r"^https?://\S+$")
NO_NAME = "未留姓名"


def read_form(items: list[tuple[str, object]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form's fields and its `attribute[CODE]` answers; other parameters are ignored."""
    fields: dict[str, str] = {}
    answers: dict[str, list[str]] = {}
    for key, value in items:
        if not isinstance(value, str):
            raise Open311Error(400, f"{key} 应为文本（请以 application/x-www-form-urlencoded 提交）")
        if "\x00" in value or len(value) > MAX_FIELD:
            raise Open311Error(400, f"{key} 含空字符或过长")
        if match := ATTRIBUTE.match(key):
            answers.setdefault(match[1], []).append(value.strip())
        elif key in FIELDS:
            fields[key] = value.strip()
        # Other parameters (some clients add their own) are ignored, as the spec's optional ones.
    for key, limit in LIMITS.items():
        if len(fields.get(key, "")) > limit:
            raise Open311Error(400, f"{key} 不能超过 {limit} 个字符")
    return {key: value for key, value in fields.items() if value}, answers


def location(fields: dict[str, str], region: str) -> dict:
    """Where: `lat` and `long`, or `address_string` (both may come); 400 without either."""
    lat, lng = fields.get("lat"), fields.get("long")
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat 与 long 须同时提供")
    place = {"region_code": region, "address": fields.get("address_string"), "lat": None, "lng": None}
    if lat is not None:
        try:
            place["lat"], place["lng"] = float(lat), float(lng)
        except ValueError:
            raise Open311Error(400, "lat、long 应为 WGS84 经纬度数值") from None
        if not (LAT_RANGE[0] <= place["lat"] <= LAT_RANGE[1] and LNG_RANGE[0] <= place["lng"] <= LNG_RANGE[1]):
            raise Open311Error(400, "lat、long 不在服务范围内（应为中国境内的 WGS84 经纬度）")
    elif not place["address"]:
        if fields.get("address_id"):
            raise Open311Error(400, "本平台不支持 address_id，请提供 lat 与 long 或 address_string")
        raise Open311Error(400, "须提供位置：lat 与 long，或 address_string")
    return place


def answered(questions: list[dict], answers: dict[str, list[str]], region: str) -> dict[str, str]:
    """Each answer checked against its attribute's values; the town must be in the county."""
    by_code = {question["code"]: question for question in questions}
    chosen = {}
    for code, values in answers.items():
        question = by_code.get(code)
        if question is None:
            raise Open311Error(400, f"attribute[{code}] 不是本服务的属性")
        if len(values) != 1 or values[0] not in {value["key"] for value in question["values"]}:
            raise Open311Error(400, f"attribute[{code}] 的取值无效，请从服务定义的 values 中选择一个")
        chosen[code] = values[0]
    if "town" in chosen and not chosen["town"].startswith(region):
        raise Open311Error(400, "attribute[town] 所选乡镇（街道）不属于 jurisdiction_id 所指的县（市）")
    return chosen


def contact(fields: dict[str, str]) -> dict:
    """The citizen, as a Chinese name reads: family name first; a phone to reach them."""
    phone = fields.get("phone", "").replace(" ", "")
    if not phone:
        raise Open311Error(400, "须提供 phone：承办单位需要联系诉求人")
    if not re.match(PHONE, phone):
        raise Open311Error(400, "phone 应为手机号或固定电话（如 13800000000 或 0876-1234567）")
    email = fields.get("email")
    if email and not re.match(EMAIL, email):
        raise Open311Error(400, "email 格式不正确")
    name = f"{fields.get('last_name', '')}{fields.get('first_name', '')}".strip() or NO_NAME
    return {"name": name, "phone": phone, "email": email}


def content(fields: dict[str, str], service: dict) -> str:
    """The description; a known service with none is described by its name."""
    text = fields.get("description")
    if text:
        return text
    if service["service_code"] == services.GENERIC["service_code"]:
        raise Open311Error(400, "选择「不清楚」时须填写 description，平台据此分类")
    return service["service_name"]


async def ticket_from_form(session: AsyncSession, fields: dict[str, str],
                           answers: dict[str, list[str]]) -> tuple[TicketIn, dict]:
    """The ticket an Open311 form asks for, and the column TicketIn has no place for (media_url)."""
    places = await services.catalog(session)
    region = fields.get("jurisdiction_id")
    if not region:
        raise Open311Error(400, "须提供 jurisdiction_id：受理的县（市）行政区划代码，如 532622")
    if region not in places.counties:
        raise Open311Error(404, f"jurisdiction_id {region[:12]} 不是本平台服务的县（市）")
    code = fields.get("service_code")
    if not code:
        raise Open311Error(400, "须提供 service_code")
    service = places.service(code)
    if service is None:
        raise Open311Error(404, f"service_code {code[:64]} 不存在")
    media_url = fields.get("media_url")
    if media_url and not MEDIA_URL.match(media_url):
        raise Open311Error(400, "media_url 应为 http(s) 链接")
    place = location(fields, region)
    chosen = answered(services.attributes(places), answers, region)
    person = contact(fields)
    text = content(fields, service)
    generic = code == services.GENERIC["service_code"]
    try:
        body = TicketIn.model_validate({
            "channel": "open311", "type": chosen.get("type", services.DEFAULT_TYPE),
            "category": None if generic else code, "content": text[:TICKET_CONTENT],
            "location": {**place, "town_code": chosen.get("town")},
            "contact": person,
            "public": chosen.get("public") == "true", "anonymous": chosen.get("anonymous") == "true"})
    except ValidationError as error:
        raise Open311Error(400, f"请求无效：{error.errors()[0]['msg']}") from None
    return body.model_copy(update={"content": text}), {"media_url": media_url}
