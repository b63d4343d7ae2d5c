"""登录 and 退出: the staff account's token goes into an HttpOnly cookie."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError, LoginRequired
from services.console.deps import FormDep
from services.console.pages import render
from services.console.session import SESSION_COOKIE, NotLoggedIn, current_person, safe_next

router = APIRouter()


@router.get("/login")
async def login_page(request: Request, next: str = "/"):
    """The login form (a logged-in person goes straight on)."""
    try:
        current_person(request)
        return RedirectResponse(safe_next(next), status_code=303)
    except NotLoggedIn:
        return render(request, "login.html", next=safe_next(next), errors={}, username="")


@router.post("/login")
async def log_in(request: Request, form: FormDep):
    """Check the account with intake; the token becomes the session cookie."""
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    errors = {}
    if not username:
        errors["username"] = "请输入用户名"
    if not password:
        errors["password"] = "请输入密码"
    if not errors:
        api = request.app.state.backend.as_person(None)
        try:
            token = await api.post("intake", "/v1/auth/staff-token",
                                   json={"username": username, "password": password})
        except LoginRequired:
            errors["password"] = "用户名或密码错误"
        except ApiError as refused:
            errors["password"] = "用户名或密码错误" if refused.status == 422 else refused.message
        else:
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(SESSION_COOKIE, token["access_token"], max_age=token["expires_in"],
                                httponly=True, samesite="lax", path="/",
                                secure=request.app.state.settings.secure_cookies)
            return response
    return render(request, "login.html", 400 if errors else 200, next=target, errors=errors,
                  username=username)


@router.post("/logout")
async def log_out(request: Request, form: FormDep):
    """Forget the session; back to the login page."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
