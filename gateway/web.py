"""The web UI: first-Owner setup, sign-in and sign-out, and the landing page."""
from __future__ import annotations

import grpc
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.auth import (
    ROLE_OF,
    SESSION_COOKIE,
    check_csrf,
    check_same_origin,
    identity,
    principal_cache,
    session_principal,
)
from gateway.errors import GRPC_TO_HTTP, ApiError, retry_after
from gateway.proxy import request_client_address
from services.common import config

web = Blueprint("web", __name__)


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def form_value(name: str) -> str:
    source = request.get_json(silent=True) if request.is_json else request.form
    value = (source or {}).get(name, "")
    return value if isinstance(value, str) else ""


def current_session():
    token = request.cookies.get(SESSION_COOKIE)
    return session_principal(token) if token else None


def signed_in(reply: identity_pb.LoginResponse, status: int = 200):
    """The answer to a successful sign-in: the session cookie, and the CSRF token for scripts."""
    response: Response   # jsonify's flask.Response or redirect's werkzeug Response
    if wants_json():
        response = jsonify(user={"id": reply.principal.user.id, "email": reply.principal.user.email},
                           csrfToken=reply.csrf_token)
        response.status_code = status
    else:
        response = redirect(url_for("web.index"))
    response.set_cookie(SESSION_COOKIE, reply.session_token, expires=reply.expires_at.ToDatetime(),
                        httponly=True, secure=config.secure_cookies(), samesite="Lax", path="/")
    return response


def login_with(email: str, password: str) -> identity_pb.LoginResponse:
    return identity().Login(identity_pb.LoginRequest(email=email, password=password,
                                                     client_ip=request_client_address()))


@web.get("/")
def index():
    if identity().GetSetupState(identity_pb.GetSetupStateRequest()).needs_first_owner:
        return redirect(url_for("web.setup"))
    session = current_session()
    if session is None:
        return render_template("index.html", user=None)
    principal, csrf_token = session
    return render_template("index.html", user=principal.user, role=ROLE_OF[principal.user.role],
                           csrf_token=csrf_token)


@web.route("/setup", methods=["GET", "POST"])
def setup():
    """A fresh install with no users: the first visitor creates the Owner."""
    if not identity().GetSetupState(identity_pb.GetSetupStateRequest()).needs_first_owner:
        if request.method == "POST":
            raise ApiError(409, "this installation already has an Owner; sign in instead")
        return redirect(url_for("web.login"))
    if request.method == "GET":
        return render_template("setup.html", error=None)
    check_same_origin()
    email, password = form_value("email"), form_value("password")
    try:
        identity().CreateFirstOwner(identity_pb.CreateFirstOwnerRequest(
            email=email, name=form_value("name"), password=password))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT or wants_json():
            raise
        return render_template("setup.html", error=exc.details()), 400
    return signed_in(login_with(email, password), status=201)


@web.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", error=None)
    check_same_origin()
    try:
        reply = login_with(form_value("email"), form_value("password"))
    except grpc.RpcError as exc:
        status = GRPC_TO_HTTP.get(exc.code(), 502)
        if status >= 500:
            raise  # the error handler answers, without the upstream's details
        if wants_json():
            raise ApiError(status, exc.details()) from None
        seconds = retry_after(exc.details()) if status == 429 else None
        return render_template("login.html", error=exc.details()), status, {"Retry-After": seconds} if seconds else {}
    return signed_in(reply)


@web.post("/logout")
def logout():
    token = request.cookies.get(SESSION_COOKIE)
    session = session_principal(token) if token else None
    if session is not None:
        check_same_origin()
        check_csrf(session[1])
        identity().Logout(identity_pb.LogoutRequest(session_token=token))
        principal_cache().clear()
    response = jsonify(status="signed out") if wants_json() else redirect(url_for("web.login"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
