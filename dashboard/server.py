"""The dashboard's web server: Streamlit's own, serving app.py, plus the two addresses that keep
a sign-in in an http-only cookie, which a page's script cannot set but an HTTP response can.

After a sign-in, the page posts its one-time code to `api/sign-in`, which answers with the
cookie; Streamlit hands the cookie to the next session this browser opens (a reload, another
tab), which resumes the sign-in. `api/sign-out` ends it and clears the cookie.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tracker.database import engine_for, session_for
from tracker.errors import TrackerError
from tracker.users import SIGN_IN_COOKIE, end_sign_in, keep_sign_in, resume_sign_in


def _same_origin(request: Request) -> bool:
    """Whether REQUEST comes from a page of this dashboard: another site must not sign a
    browser in to an account of its choosing, nor out."""
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host")


def _claim(code: str) -> tuple[str, datetime]:
    with session_for(engine_for()) as session:
        token, expires = keep_sign_in(session=session, code=code)
    return token, expires


async def sign_in(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("sign-ins are kept only for this dashboard's pages", 403)
    code = (await request.body()).decode(errors="replace")
    try:
        token, expires = await run_in_threadpool(_claim, code)
    except TrackerError as error:
        return PlainTextResponse(str(error), 400)
    response = Response(status_code=204)
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        expires=expires,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
    return response


def _end(token: str) -> None:
    with session_for(engine_for()) as session:
        end_sign_in(session=session, actor=resume_sign_in(session=session, token=token))


async def sign_out(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("only this dashboard's pages sign out", 403)
    if token := request.cookies.get(SIGN_IN_COOKIE):
        await run_in_threadpool(_end, token)
    response = Response(status_code=204)
    response.delete_cookie(SIGN_IN_COOKIE, httponly=True, samesite="strict")
    return response


app = st.App(
    "app.py",
    routes=[
        Route("/api/sign-in", sign_in, methods=["POST"]),
        Route("/api/sign-out", sign_out, methods=["POST"]),
    ],
)
