"""An unknown address under the browser app (/app/...) gets the app's own not-found page (its
stylesheet, a clear message, a link back to the accounts) with status 404; the REST API keeps
answering JSON errors (gateway/errors.py)."""
from __future__ import annotations

from gateway import create_app


def test_an_unknown_app_page_is_the_apps_own_404():
    http = create_app(clients=object()).test_client()
    reply = http.get("/app/nonsense/<script>alert(1)</script>")
    assert reply.status_code == 404 and reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert "<title>Page not found · cloudsketch</title>" in page
    assert 'href="/static/app.css"' in page
    assert '<a href="/app/accounts">Go to the AWS accounts</a>' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page   # the path is text
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_the_api_still_answers_json_errors():
    http = create_app(clients=object()).test_client()
    reply = http.get("/api/nonsense", headers={"Accept": "text/html"})
    assert reply.status_code == 404 and reply.mimetype == "application/json"
    assert reply.get_json()["error"]
    # outside the app and the API, Flask's own page as before
    assert http.get("/nonsense").status_code == 404
