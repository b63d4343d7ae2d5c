"""Realistic ticket bodies for tests."""

import itertools

_phones = itertools.count(13800000000 + (hash("intake") % 100000) * 10)


def phone() -> str:
    return str(next(_phones))


def ticket_body(**overrides) -> dict:
    body = {
        "channel": "hotline",
        "type": "complaint",
        "urgency": "normal",
        "content": "江那镇振兴街夜间烧烤摊油烟和噪音很大，已持续一个月，影响休息。",
        "location": {"region_code": "532622", "town_code": "532622100",
                     "address": "砚山县江那镇振兴街 18 号", "lat": 23.61, "lng": 104.33},
        "contact": {"name": "李女士", "phone": phone()},
        "anonymous": False,
        "public": True,
    }
    body.update(overrides)
    return body
