"""The browser app's pages under /app: one HTML shell per page, the page itself in a static ES module.

Each page is the same template with a different `page` name; gateway/static/app.js reads it and
imports that page's module from gateway/static/ (its PAGES table). The pages talk to the REST API
under /api with the session cookie and send the session's CSRF token (in the shell's
<meta name="csrf-token">) in X-CSRF-Token on changes. No inline script: everything runs from /static.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, redirect, render_template, request, send_from_directory, url_for

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.auth import ROLE_OF, SESSION_COOKIE, identity, session_principal

pages = Blueprint("pages", __name__)
STATIC = Path(__file__).resolve().parent / "static"   # the app's static_folder (Flask(__name__) in gateway/)

# page name -> (title, navigation section)
PAGES = {
    "accounts": ("AWS accounts", "accounts"),
    "account-new": ("Add an AWS account", "accounts"),
    "account-edit": ("Edit an AWS account", "accounts"),
    "organization": ("Connect an AWS Organization", "accounts"),
    "diagram": ("Diagram", "diagram"),
    "budget": ("Budget", "budget"),
    "admin": ("Administration", "admin"),
}


def render_page(page: str, **params):
    """The page for the signed-in user; a visitor without a session goes to sign in first."""
    if identity().GetSetupState(identity_pb.GetSetupStateRequest()).needs_first_owner:
        return redirect(url_for("web.setup"))
    token = request.cookies.get(SESSION_COOKIE)
    session = session_principal(token) if token else None
    if session is None:
        return redirect(url_for("web.login"))
    principal, csrf_token = session
    title, section = PAGES[page]
    return render_template("app.html", page=page, title=title, section=section, user=principal.user,
                           role=ROLE_OF[principal.user.role], csrf_token=csrf_token, params=params)


@pages.get("/app/")
def home():
    return redirect(url_for("pages.accounts"))


@pages.get("/app/accounts")
def accounts():
    return render_page("accounts")


@pages.get("/app/accounts/new")
def account_new():
    return render_page("account-new")


@pages.get("/app/accounts/<account_id>/edit")
def account_edit(account_id: str):
    return render_page("account-edit", account_id=account_id)


@pages.get("/app/organization")
def organization():
    return render_page("organization")


@pages.get("/app/diagram")
def diagram():
    return render_page("diagram")


@pages.get("/app/budget")
def budget():
    return render_page("budget")


@pages.get("/app/admin")
def admin():
    return render_page("admin")


@pages.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every page; answering spares them (and the console) a 404."""
    return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
