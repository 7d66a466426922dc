"""docs/openapi.yaml against the gateway: the document parses as OpenAPI 3.1, describes exactly the
routes the gateway registers under /api, every $ref resolves, and extensions beyond Cloudcraft's
API are marked. No services run: the app is built with a stand-in for its gRPC clients and only
its url_map is read."""
from __future__ import annotations

import re

import pytest
import yaml

from gateway import create_app
from tests.helpers.stack import REPO

SPEC_PATH = REPO / "docs" / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
WRITE_METHODS = {"post", "put", "patch", "delete"}

# The routes Cloudcraft's public API documents (docs/architecture.md, "Public contracts"); every
# other operation is cloudsketch's own and carries `x-cloudsketch-extension: true`.
CLOUDCRAFT = {
    ("GET", "/aws/account"), ("POST", "/aws/account"),
    ("PUT", "/aws/account/{account_id}"), ("DELETE", "/aws/account/{account_id}"),
    ("GET", "/aws/account/iamParameters"), ("GET", "/aws/account/iamParameters/policy/{kind}"),
    ("GET", "/aws/account/{account_id}/{region}/{fmt}"),
    ("GET", "/user/me"), ("GET", "/team"),
    ("GET", "/blueprint"), ("POST", "/blueprint"), ("GET", "/blueprint/{blueprint_id}"),
    ("PUT", "/blueprint/{blueprint_id}"), ("DELETE", "/blueprint/{blueprint_id}"),
    ("GET", "/blueprint/{blueprint_id}/{fmt}"), ("GET", "/blueprint/{blueprint_id}/budget/{fmt}"),
}


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def resolve(spec: dict, ref: str):
    assert ref.startswith("#/"), f"only local $refs are used: {ref}"
    node = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref {ref} does not resolve"
        node = node[part]
    return node


def deref(spec: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(spec, node["$ref"])
    return node


def gateway_routes() -> set[tuple[str, str]]:
    """(METHOD, path below /api) of every route the app registers, `<name>` as `{name}`."""
    app = create_app(clients=object())  # a stand-in: no gRPC channel is opened
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api"):])
        routes.update((method, path) for method in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_spec_is_openapi_31_and_every_operation_is_described(spec):
    assert str(spec["openapi"]).startswith("3.1."), spec["openapi"]
    assert spec["info"]["title"] == "cloudsketch"
    assert spec["info"]["version"]
    assert {"apiKey", "session", "csrfToken"} <= set(spec["components"]["securitySchemes"])
    ids = []
    for path, method, _, op in operations(spec):
        where = f"{method.upper()} {path}"
        assert op.get("summary", "").strip(), f"{where}: no summary"
        assert op.get("operationId"), f"{where}: no operationId"
        ids.append(op["operationId"])
        responses = op.get("responses")
        assert responses, f"{where}: no responses"
        for status, response in responses.items():
            assert re.fullmatch(r"[1-5][0-9][0-9]", str(status)), f"{where}: status {status!r}"
            response = deref(spec, response)
            assert response.get("description"), f"{where} {status}: no description"
            if str(status).startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, f"{where} {status}: errors are Error"
        assert any(str(s).startswith("2") for s in responses), f"{where}: no success response"
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_spec_has_exactly_the_gateways_routes(spec):
    documented = {(method.upper(), path) for path, method, _, _ in operations(spec)}
    registered = gateway_routes()
    assert registered, "the gateway registered no /api routes"
    assert documented == registered, (
        f"registered but not in docs/openapi.yaml: {sorted(registered - documented)}; "
        f"in docs/openapi.yaml but not registered: {sorted(documented - registered)}")


def test_every_ref_resolves(spec):
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert refs
    for ref in refs:
        resolve(spec, ref)


def test_path_parameters_match_the_paths(spec):
    for path, method, item, op in operations(spec):
        declared = [deref(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
        in_path = {p["name"] for p in declared if p["in"] == "path"}
        assert all(p["required"] for p in declared if p["in"] == "path")
        assert in_path == set(re.findall(r"{([^}]+)}", path)), f"{method.upper()} {path}: path parameters"


def test_writes_take_the_csrf_token_with_a_session(spec):
    for path, method, _, op in operations(spec):
        security = op.get("security", spec["security"])
        if method in WRITE_METHODS:
            assert {"apiKey": []} in security, f"{method.upper()} {path}"
            assert {"session": [], "csrfToken": []} in security, f"{method.upper()} {path}: needs X-CSRF-Token"
            assert {"session": []} not in security, f"{method.upper()} {path}: a session alone is not enough"


def test_extensions_are_marked(spec):
    for path, method, _, op in operations(spec):
        key = (method.upper(), path)
        marked = op.get("x-cloudsketch-extension", False)
        if key in CLOUDCRAFT:
            assert marked is False, f"{key} is Cloudcraft's own route"
        else:
            assert marked is True, f"{key} is not in Cloudcraft's API: mark it x-cloudsketch-extension: true"


def test_spec_validates_as_openapi_31(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)
