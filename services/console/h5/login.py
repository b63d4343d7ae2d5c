"""短信验证码登录 and 退出: the citizen's token goes into an HttpOnly cookie of /m/."""

import re

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError, ServiceDown
from services.console.h5.deps import FormDep, VisitorDep, public_api
from services.console.h5.pages import render
from services.console.h5.session import COOKIE_PATH, HOME, SESSION_COOKIE, safe_next

router = APIRouter()
MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE = re.compile(r"^\d{6}$")


@router.get("/login")
async def login_page(request: Request, citizen: VisitorDep, next: str = HOME):
    """The phone field; a logged-in citizen goes straight on."""
    if citizen is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), errors={}, phone="", sent=False)


@router.post("/login")
async def log_in(request: Request, citizen: VisitorDep, form: FormDep):
    """获取验证码 sends the SMS code; 登录 exchanges phone and code for the citizen's token."""
    phone = str(form.get("phone") or "").strip()
    code = str(form.get("code") or "").strip()
    target = safe_next(str(form.get("next") or HOME))
    errors: dict[str, str] = {}
    sent = form.get("step") == "verify"
    if not MOBILE.match(phone):
        errors["phone"] = "请输入 11 位手机号码"
    elif form.get("action") == "send" or not sent:
        sent = await _send_code(request, phone, errors) or sent
    elif not CODE.match(code):
        errors["code"] = "请输入短信中的 6 位验证码"
    else:
        token = await _exchange(request, phone, code, errors)
        if token:
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(SESSION_COOKIE, token["access_token"], max_age=token["expires_in"],
                                httponly=True, samesite="lax", path=COOKIE_PATH,
                                secure=request.app.state.settings.secure_cookies)
            return response
    notice = "验证码已发送，请查看短信（5 分钟内有效）" if sent and not errors and not code else None
    return render(request, "login.html", 400 if errors else 200, next=target, errors=errors,
                  phone=phone, sent=sent, notice=notice)


async def _send_code(request: Request, phone: str, errors: dict) -> bool:
    try:
        await public_api(request).post("intake", "/v1/auth/sms-code", json={"phone": phone})
    except ApiError as refused:
        errors["phone"] = refused.field_errors().get("phone") or refused.message
        return False
    return True


async def _exchange(request: Request, phone: str, code: str, errors: dict) -> dict | None:
    """The token, or the reason next to the code field (intake's 401 says how many tries are left)."""
    try:
        answer = await request.app.state.backend.fetch(
            "intake", "POST", "/v1/auth/citizen-token", json={"phone": phone, "code": code})
    except (aiohttp.ClientError, TimeoutError):
        raise ServiceDown("intake") from None
    if answer.status_code == 200:
        return answer.json()
    if answer.status_code >= 500:
        raise ServiceDown("intake")
    try:
        problem = answer.json()
    except ValueError:
        problem = {}
    refused = ApiError(answer.status_code, problem if isinstance(problem, dict) else {})
    errors["code"] = refused.field_errors().get("code") or refused.message
    return None


@router.post("/logout")
async def log_out(request: Request, form: FormDep):
    """Forget the session; back to 首页."""
    response = RedirectResponse(HOME, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
