"""How often one phone, one IP or one username may knock: logins, SMS codes, citizen reports.

Per IP the client's address as the gateway forwards it (uvicorn trusts X-Forwarded-For from
FORWARDED_ALLOW_IPS). A hotline system or a staff member submitting for callers is not limited:
they speak for many people from one address.
"""

from fastapi import Request

from services.core.auth import Principal, Role
from services.core.ratelimit import Limit, RateLimiter

LOGIN_FAILURES_PER_USER = Limit("login.user", 5, 900, "密码错误次数过多，请 15 分钟后再试")
LOGIN_FAILURES_PER_IP = Limit("login.ip", 30, 900, "登录失败次数过多，请稍后再试")
CODE_FAILURES_PER_IP = Limit("code.ip", 30, 900, "验证码错误次数过多，请稍后再试")
CODES_PER_IP = Limit("sms_code.ip", 30, 3600, "获取验证码过于频繁，请一小时后再试")
REPORTS_PER_PHONE = Limit("report.phone", 20, 3600, "提交过于频繁：每个手机号每小时最多提交 20 件诉求")
REPORTS_PER_IP = Limit("report.ip", 100, 3600, "提交过于频繁，请稍后再试")


def limiter(request: Request) -> RateLimiter:
    return request.app.state.limits


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def count_report(request: Request, submitter: Principal) -> None:
    """A citizen's report counts against its phone and its address."""
    if submitter.role is Role.citizen:
        await limiter(request).hit(REPORTS_PER_PHONE, submitter.phone or submitter.subject)
        await limiter(request).hit(REPORTS_PER_IP, client_ip(request))
