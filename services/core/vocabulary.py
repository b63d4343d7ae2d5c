"""The Chinese words people see for the platform's codes: channels, types, roles, steps.

One table each, for every page that prints them (the console, the archive, the reports).
An unknown code prints as itself: a new code must never break a page.
"""

CHANNELS = {
    "miniprogram": "微信小程序", "hotline": "12345热线", "wechat": "微信公众号",
    "sms": "短信", "web": "网站", "app": "手机App", "open311": "Open311",
}

TICKET_TYPES = {
    "consult": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议",
}

URGENCY = {"normal": "一般", "urgent": "紧急"}

UNIT_ROLES = {"lead": "牵头", "responsible": "责任", "cooperating": "配合", "dispatch": "待派单"}

ACTOR_ROLES = {
    "citizen": "诉求人", "channel": "受理渠道", "agent": "热线话务员", "dispatcher": "指挥中心",
    "handler": "承办单位", "unit_leader": "单位负责人", "supervisor": "督查室",
    "admin": "系统管理员", "system": "系统",
}

TIMELINE_ACTIONS = {
    "submit": "提交诉求", "accept": "受理", "reject": "不予受理", "request_info": "要求补充完善",
    "supplement": "补充完善", "expire": "诉求失效", "set_urgency": "标注紧急程度",
    "merge": "合并重复工单", "queue": "进入人工派单", "assign": "派单", "sign": "签收",
    "contact": "联系诉求人", "reply": "阶段性答复", "submit_part": "提交配合办理情况",
    "submit_completion": "提交办结报告", "approve_completion": "单位审核通过",
    "return_internal": "单位审核退回", "accept_completion": "审核办结", "send_back": "退回重办",
    "request_return": "申请退件", "approve_return": "同意退件", "deny_return": "不同意退件",
    "request_extension": "申请延期", "approve_extension": "同意延期",
    "deny_extension": "不同意延期", "supervise": "督办", "answer_supervision": "答复督办",
    "overdue": "超期", "evaluate": "评价", "satisfied": "满意", "reopen": "重新办理",
    "close": "办结归档", "auto_close": "默认满意归档", "attach": "补充附件",
}

REJECT_REASONS = {
    "litigation": "属于诉讼、仲裁、纪检监察、行政复议等法定途径解决的事项",
    "petition": "已进入信访渠道的事项",
    "secrets_privacy": "涉及国家秘密、商业秘密或个人隐私",
    "emergency": "紧急情况，请拨打 110、119、120 等应急电话",
    "malicious": "恶意或违反公序良俗的诉求",
    "other": "其他原因",
}


def label(table: dict[str, str], code: str | None, empty: str = "—") -> str:
    """The Chinese word for a code in one of the tables above; the code itself if unknown."""
    if not code:
        return empty
    return table.get(code, code)
