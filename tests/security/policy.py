"""Who may call what: one row per operation of the five services, one outcome per role.

Outcomes: `ok` passes the access check (a read answers 2xx, a write anything but 401/403/404);
`sees` answers 2xx showing the test's ticket (its number); `blind` answers 2xx but shows
nothing of it (a list or statistics of the caller's own jurisdiction); `public` answers 2xx
to anyone, with no personal data (the citizen's phone or name); `401` not signed in; `403`
signed in but not allowed; `404` hidden (the thing exists, but the caller may not know it).
A new endpoint fails the matrix test until it has a row here (and, if it needs a body or
parameters to reach its access check, an entry in requests.py).
"""

ROLES = {
    "anonymous": "匿名",
    "citizen_a": "市民甲（诉求人）",
    "citizen_b": "市民乙",
    "agent": "话务员",
    "handler": "承办单位经办人",
    "other_handler": "其他单位经办人",
    "leader": "承办单位负责人",
    "other_dispatcher": "外县指挥中心",
    "supervisor": "督查室",
    "admin": "管理员",
    "channel": "渠道密钥",
}
OUTCOMES = {"ok", "sees", "blind", "public", "401", "403", "404"}
SERVICES = {"intake": 8001, "routing": 8002, "sla": 8003, "notify": 8004, "media": 8005}

# Rows as they read in a table; columns in the order of ROLES:
#      anon  citA  citB  agent hand  hand2 lead  disp2 super admin chan
PUBLIC = "public " * len(ROLES)
ADMIN = "401  403   403   403   403   403   403   403   403   ok    401"
STAFF = "401  403   403   ok    ok    ok    ok    ok    ok    ok    401"
SUBMIT = "401  ok    ok    ok    403   403   403   403   403   ok    ok"
# The ticket itself, read by whoever handles, oversees or owns it.
TICKET = "401  ok    404   ok    ok    404   ok    404   ok    ok    401"
CITIZEN_ACT = "401  ok    404   403   403   403   403   403   403   403   401"
CENTER_ACT = "401  403   404   403   403   404   403   404   403   ok    401"
# The handling unit's own steps (as lead or co-unit); its leader's review.
UNIT_ACT = "401  403   404   403   ok    404   ok    404   403   403   401"
LEADER_ACT = "401  403   404   403   403   404   ok    404   403   403   401"
SUPERVISE = "401  403   404   403   403   404   403   404   ok    ok    401"
ROUTING_READ = "401  403   403   ok    403   403   403   404   ok    ok    401"
STATS = "401  403   403   403   ok    blind ok    blind ok    ok    401"
PROVIDER = "401  401   401   401   401   401   401   401   401   401   401"

ACTIONS = {
    "accept": CENTER_ACT, "reject": CENTER_ACT, "request_info": CENTER_ACT,
    "set_urgency": CENTER_ACT, "merge": CENTER_ACT, "approve_return": CENTER_ACT,
    "deny_return": CENTER_ACT, "approve_extension": CENTER_ACT, "deny_extension": CENTER_ACT,
    "accept_completion": CENTER_ACT, "send_back": CENTER_ACT,
    "sign": UNIT_ACT, "reply": UNIT_ACT, "submit_completion": UNIT_ACT,
    "request_return": UNIT_ACT, "request_extension": UNIT_ACT,
    "contact": UNIT_ACT, "submit_part": UNIT_ACT, "answer_supervision": UNIT_ACT,
    "approve_completion": LEADER_ACT, "return_internal": LEADER_ACT,
    "supervise": SUPERVISE,
}

POLICY = {
    **{(service, "GET", path): PUBLIC for service in SERVICES
       for path in ("/healthz", "/readyz", "/metrics")},
    **{(service, method, path): ADMIN for service in SERVICES
       for method, path in (("GET", "/v1/dead-letters"), ("POST", "/v1/dead-letters/replay"))},

    ("intake", "POST", "/v1/auth/sms-code"): PUBLIC,
    ("intake", "POST", "/v1/auth/citizen-token"): PUBLIC,
    ("intake", "POST", "/v1/auth/staff-token"): PUBLIC,
    ("intake", "POST", "/v1/tickets"): SUBMIT,
    ("intake", "GET", "/v1/tickets"): "401 sees blind 403 403 403 403 403 403 403 401",
    ("intake", "GET", "/v1/tickets/{number}"): "401 sees 404 sees sees 404 sees 404 sees sees 404",
    ("intake", "GET", "/v1/tickets/{number}/progress"): PUBLIC,
    ("intake", "POST", "/v1/tickets/{number}/supplement"): CITIZEN_ACT,
    ("intake", "POST", "/v1/tickets/{number}/evaluation"): CITIZEN_ACT,
    **{("intake", "POST", f"/v1/tickets/{{number}}/actions/{name}"): row
       for name, row in ACTIONS.items()},
    ("intake", "GET", "/v1/tickets/{number}/actions"): TICKET,
    ("intake", "GET", "/v1/tickets/{number}/archive"): TICKET.replace("ok", "sees"),
    ("intake", "GET", "/v1/queue"): "401 403 403 sees sees blind sees blind sees sees 401",
    ("intake", "GET", "/v1/supervision/{kind}"): "401 403 403 403 403 403 403 blind ok ok 401",
    ("intake", "GET", "/v1/search/tickets"): "401 403 403 sees sees blind sees blind sees sees 401",
    ("intake", "GET", "/v1/dashboard"): "401 403 403 ok ok blind ok blind ok ok 401",
    ("intake", "GET", "/v1/requests"): "401 403 403 403 403 403 403 blind 403 sees 401",
    ("intake", "GET", "/v1/me/views"): STAFF,
    ("intake", "POST", "/v1/me/views"): STAFF,
    # The view is the administrator's own: anyone else's delete finds nothing of theirs.
    ("intake", "DELETE", "/v1/me/views/{view_id}"): "401 403 403 404 404 404 404 404 404 ok 401",

    ("intake", "GET", "/v1/public/config"): PUBLIC,
    ("intake", "GET", "/v1/public/cases"): PUBLIC,
    # No case is published in this world: the id is unknown to everyone.
    ("intake", "GET", "/v1/public/cases/{case_id}"): "404 " * len(ROLES),
    ("intake", "DELETE", "/v1/public/cases/{case_id}"): "401 403 403 403 403 403 403 404 403 404 401",
    # Citizen A's ticket is open: the county's center may publish only once it is closed (409).
    ("intake", "POST", "/v1/tickets/{number}/publication"): "401 403 403 403 403 403 403 404 403 ok 401",
    ("intake", "GET", "/v1/public/tickets/{number}"): PUBLIC,
    ("intake", "POST", "/v1/channels/sms/inbound"): PROVIDER,
    # Open to anyone; a code WeChat never issued logs no one in.
    ("intake", "POST", "/v1/auth/wechat"): "401 " * len(ROLES),
    ("intake", "GET", "/v1/auth/channel"): "401 401 401 401 401 401 401 401 401 401 ok",
    ("intake", "POST", "/v1/tickets/{number}/attachments"): "401 403 403 403 403 403 403 403 403 403 404",

    ("routing", "POST", "/v1/tickets/{ticket}/dispatch"): "401 403 403 403 403 403 403 404 403 ok 401",
    ("routing", "GET", "/v1/tickets/{ticket}/assignments"): ROUTING_READ.replace("ok", "sees"),
    ("routing", "GET", "/v1/tickets/{ticket}/duplicates"): ROUTING_READ.replace("ok", "sees"),
    ("routing", "GET", "/v1/assignments"): "401 403 403 403 sees 403 sees 403 sees sees 401",
    ("routing", "POST", "/v1/classify"): "401 403 403 ok 403 403 403 ok 403 ok 401",
    **{("routing", "GET", path): STAFF for path in (
        "/v1/units", "/v1/units/{code}", "/v1/categories", "/v1/categories/{code}",
        "/v1/rules", "/v1/rules/{rule_id}")},
    **{("routing", method, path): ADMIN for method, path in (
        ("POST", "/v1/units"), ("PATCH", "/v1/units/{code}"), ("DELETE", "/v1/units/{code}"),
        ("POST", "/v1/categories"), ("PATCH", "/v1/categories/{code}"),
        ("DELETE", "/v1/categories/{code}"), ("POST", "/v1/rules"),
        ("PATCH", "/v1/rules/{rule_id}"), ("DELETE", "/v1/rules/{rule_id}"))},

    ("routing", "GET", "/v1/classifier"): STAFF,
    ("routing", "GET", "/v1/knowledge"): ADMIN,
    ("routing", "POST", "/v1/knowledge"): ADMIN,
    **{("routing", method, "/v1/knowledge/{item_id}"): ADMIN for method in ("GET", "PATCH", "DELETE")},
    **{("routing", "GET", path): PUBLIC for path in (
        "/v1/public/knowledge", "/v1/public/knowledge/{item_id}", "/v1/public/hot",
        "/v1/public/nearby")},

    # Open311 speaks its own errors (`errors/error`) and knows only its `api_key` parameter:
    # bearer tokens and the X-Api-Key header mean nothing to it. Citizen A's ticket is not
    # public, so it is not found there; only a channel's key may post a request.
    **{("intake", "GET", f"/open311/v2/{name}.{fmt}"): PUBLIC for fmt in ("xml", "json")
       for name in ("discovery", "services", "services/{service_code}", "requests")},
    **{("intake", "GET", f"/open311/v2/{name}.{fmt}"): "404 " * len(ROLES)
       for fmt in ("xml", "json") for name in ("requests/{service_request_id}", "tokens/{token}")},
    **{("intake", "POST", f"/open311/v2/requests.{fmt}"): "403 " * (len(ROLES) - 1) + "ok"
       for fmt in ("xml", "json")},

    ("sla", "GET", "/v1/calendar/deadline"): STAFF,
    ("sla", "GET", "/v1/calendar/{year}"): STAFF,
    ("sla", "PUT", "/v1/calendar/{year}"): ADMIN,
    ("sla", "GET", "/v1/policies"): STAFF,
    ("sla", "PUT", "/v1/policies"): ADMIN,
    ("sla", "GET", "/v1/tickets/{ticket}/sla"): "401 404 404 sees sees 404 sees 404 sees sees 401",
    ("sla", "GET", "/v1/stats"): STATS,
    ("sla", "GET", "/v1/reports/weekly"): STATS,
    ("sla", "GET", "/v1/reports/monthly"): STATS,

    ("notify", "GET", "/v1/messages"): "401 403 403 403 403 403 403 blind sees sees 401",
    ("notify", "POST", "/v1/messages/{message_id}/retry"): "401 403 403 403 403 403 403 404 403 ok 401",
    ("notify", "GET", "/v1/templates"): ADMIN,
    **{("notify", method, "/v1/templates/{kind}/{audience}/{channel}"): ADMIN
       for method in ("GET", "PUT", "DELETE")},
    # Providers prove themselves by a signature or token, whoever else the caller is.
    ("notify", "POST", "/v1/callbacks/{provider}"): PROVIDER,
    ("notify", "GET", "/v1/callbacks/wechat"): PROVIDER,

    # A channel back-end uploads with its key (a call recording, a relayed photo).
    ("media", "POST", "/v1/media"): "401 ok ok ok ok ok ok ok ok ok ok",
    ("media", "POST", "/v1/media/uploads"): "401 ok ok ok ok ok ok ok ok ok ok",
    # A pending upload is its uploader's alone.
    ("media", "POST", "/v1/media/{media_id}/complete"): "401 ok 404 404 404 404 404 404 404 404 404",
    ("media", "GET", "/v1/media/{media_id}"): "401 ok 404 404 ok 404 ok 404 ok ok 404",
}


def expected(row: str) -> dict[str, str]:
    """A row's outcome per role."""
    cells = row.split()
    assert len(cells) == len(ROLES), f"{row!r}: one outcome per role ({len(ROLES)})"
    return dict(zip(ROLES, cells, strict=True))
