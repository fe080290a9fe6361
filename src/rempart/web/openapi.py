"""The OpenAPI document, made valid and honest in one place (issue 12.14).

FastAPI's generated document is rewritten once, when first asked for:

* Schemas given inline (``openapi_extra`` bodies built from ``model_json_schema()``) carry their
  own ``$defs`` and point to ``#/$defs/...``, which does not exist at the document's root: the
  definitions are moved to ``components/schemas`` and the references follow them.
* 422 is never returned (``install_error_handlers`` answers 400 for an invalid request), so it
  is dropped, with the validation-error schemas nobody references any more.
* Every API operation declares the errors the app returns, each with the ``{"error": reason}``
  body: 400 (invalid request), 401 (the partner and case routes take a key or a token: public
  routes never send it), 404 with a path parameter, 403 for writes (a cross-site browser
  request, a role), 413 when it takes a body (the size limit), 429 (attempt throttle, rate
  limits).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA = "ErrorOut"
LOCAL_DEFS_PREFIX = "#/$defs/"
COMPONENT_PREFIX = "#/components/schemas/"
ERROR_REASONS = {
    "400": "Invalid request (the reason is in `error`)",
    "401": "Missing or invalid credentials (bearer token or partner API key)",
    "404": "Not found",
    "403": "Refused: a cross-site browser request, or an action the caller may not take",
    "413": "Request body too large",
    "429": "Too many attempts or requests; try again later",
}
WRITES = {"post", "put", "patch", "delete"}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   openapi_version=app.openapi_version,
                                   description=app.description, routes=app.routes)
            app.openapi_schema = rewrite(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def rewrite(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    renamed: dict[str, str] = {}
    _hoist_local_defs(document.get("paths", {}), schemas, renamed)
    _point_refs(document, renamed)
    schemas.setdefault(ERROR_SCHEMA, {
        "title": ERROR_SCHEMA, "type": "object", "required": ["error"],
        "properties": {"error": {"title": "Error", "type": "string"}}})
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                _declare_errors(path, method, operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"{COMPONENT_PREFIX}{unused}"' not in _dumps(document):
            schemas.pop(unused, None)
    return document


def _hoist_local_defs(node: Any, schemas: dict[str, Any], renamed: dict[str, str]) -> None:
    if isinstance(node, dict):
        local = node.pop("$defs", None)
        if isinstance(local, dict):
            for name, schema in local.items():
                target = name
                if name in schemas and schemas[name] != schema:
                    target = f"{name}_{len(schemas)}"
                schemas.setdefault(target, schema)
                renamed[LOCAL_DEFS_PREFIX + name] = COMPONENT_PREFIX + target
                _hoist_local_defs(schema, schemas, renamed)
        for value in node.values():
            _hoist_local_defs(value, schemas, renamed)
    elif isinstance(node, list):
        for value in node:
            _hoist_local_defs(value, schemas, renamed)


def _point_refs(node: Any, renamed: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(LOCAL_DEFS_PREFIX):
            node["$ref"] = renamed.get(ref, COMPONENT_PREFIX + ref[len(LOCAL_DEFS_PREFIX):])
        for value in node.values():
            _point_refs(value, renamed)
    elif isinstance(node, list):
        for value in node:
            _point_refs(value, renamed)


def _declare_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    if not path.startswith("/api/"):
        return
    wanted = ["400", "401", "429"]
    if "{" in path:
        wanted.append("404")
    if method in WRITES:
        wanted.append("403")
    if "requestBody" in operation or method in WRITES:
        wanted.append("413")
    for code in wanted:
        responses.setdefault(code, {"description": ERROR_REASONS[code]})
    for code, response in responses.items():
        if code.startswith("4"):
            response.setdefault("description", ERROR_REASONS.get(code, "Error"))
            response["content"] = {"application/json": {
                "schema": {"$ref": COMPONENT_PREFIX + ERROR_SCHEMA}}}


def _dumps(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document)
