"""The public read API, /api/v1/: JSON built with flask-smorest, its OpenAPI document generated
from the schemas, and a documentation page of our own rendered from that document."""

import hashlib

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..extensions import csrf
from .routes import BLUEPRINTS, PREFIX, rate_limited

API_CONFIG = {
    "API_TITLE": "Béthune à 2032",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    # No OPENAPI_URL_PREFIX: the document and its page are served by ``docs_bp`` below.
}
CACHE_CONTROL = "public, max-age=60"
# The descriptions flask-smorest writes itself (its responses, error and pagination schemas): in
# the catalogue, for the documentation page to show them in the visitor's language.
GENERATED_DESCRIPTIONS = (
    _l("OK"),
    _l("Default error response"),
    _l("Unprocessable Entity"),
    _l("Error code"),
    _l("Error message"),
    _l("Error name"),
    _l("Errors"),
    _l("Total number of items."),
    _l("Total number of pages."),
    _l("First available page number."),
    _l("Last available page number."),
    _l("Current page number."),
    _l("Previous page number."),
    _l("Next page number."),
)
DESCRIBING = {"description", "summary"}


class PublicApi(Api):
    """flask-smorest's Api, answering errors in JSON under /api/ only.

    Its own handler would take every HTTP error of the site; the HTML error pages stay for the
    rest of it.
    """

    def _register_error_handlers(self):
        app = self._app
        site_handler = app.error_handler_spec[None][None].get(HTTPException)

        def handle(error: HTTPException):
            if is_api_request() or site_handler is None:
                return self.handle_http_exception(error)
            return site_handler(error)

        app.register_error_handler(HTTPException, handle)


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


docs_bp = Blueprint("api_docs", __name__, url_prefix=PREFIX)


def document(translate: bool = False) -> dict:
    """The OpenAPI document with its descriptions (lazy strings) in the current language; with
    ``translate``, also those flask-smorest wrote in English (``GENERATED_DESCRIPTIONS``)."""
    return _texts(current_app.extensions["participation_api"].spec.to_dict(), translate)


def _texts(value, translate: bool, key: str | None = None):
    if isinstance(value, dict):
        return {k: _texts(v, translate, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(v, translate, key) for v in value]
    if isinstance(value, LazyString):
        return str(value)
    if translate and key in DESCRIBING and isinstance(value, str) and value:
        return gettext(value)
    return value


@docs_bp.route("/openapi.json")
@rate_limited
def openapi_document():
    # The machine-readable document stays in English, whatever the visitor's language.
    with force_locale("en"):
        return jsonify(document())


@docs_bp.route("/docs")
@rate_limited
def documentation():
    spec = document(translate=True)
    return render_template(
        "api/docs.html", spec=spec, operations=operations(spec), schemas=schemas(spec)
    )


def operations(spec: dict) -> list[dict]:
    """Each path and method of the document, with its parameters and response schema names."""
    rows = []
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = item.get("parameters", []) + operation.get("parameters", [])
            responses = []
            for status, response in operation.get("responses", {}).items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "schema": _ref_name(schema),
                    }
                )
            responses.sort(key=lambda r: r["status"])
            rows.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tags": operation.get("tags", []),
                    "parameters": parameters,
                    "responses": responses,
                }
            )
    return rows


def _ref_name(schema: dict) -> str | None:
    return schema["$ref"].rsplit("/", 1)[1] if "$ref" in schema else None


def describe(prop: dict) -> tuple[str, str | None]:
    """A property's type in words, and the name of the schema it refers to, if any."""
    for variant in prop.get("anyOf", []) + prop.get("allOf", []) + prop.get("oneOf", []):
        if "$ref" in variant:
            nullable = any(v.get("type") == "null" for v in prop.get("anyOf", []))
            return ("| null" if nullable else "", _ref_name(variant))
    if "$ref" in prop:
        return "", _ref_name(prop)
    kind = prop.get("type", "")
    if kind == "array":
        text, ref = describe(prop.get("items", {}))
        return f"array of {text}".strip(), ref
    if isinstance(kind, list):
        if "array" in kind:
            text, ref = describe({**prop, "type": "array"})
            return f"{text} | null", ref
        kind = " | ".join(kind)
    if "enum" in prop:
        kind += " (" + ", ".join(str(v) for v in prop["enum"] if v is not None) + ")"
    if "format" in prop:
        kind += f" ({prop['format']})"
    return kind, None


def schemas(spec: dict) -> list[dict]:
    """The document's schemas, each property with its type in words and a link to its schema."""
    return [
        {
            "name": name,
            "properties": [
                {
                    "name": field,
                    "type": describe(prop)[0],
                    "ref": describe(prop)[1],
                    "description": prop.get("description", ""),
                    "required": field in schema.get("required", []),
                }
                for field, prop in schema.get("properties", {}).items()
            ],
        }
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]


def add_public_headers(response: Response) -> Response:
    """Open to any site (read-only, no credentials); for a visitor, cacheable and conditional
    on its ETag."""
    if not is_api_request():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    # Only the JSON: the documentation page carries the visitor's session (language, sign-in).
    # Only to a visitor: an answer to a signed-in person is theirs (``security`` says no-store),
    # and whether one is signed in is read from the cookie, hence ``Vary: Cookie``.
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "application/json"
        and not current_user.is_authenticated
    ):
        response.vary.add("Cookie")
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = PublicApi(app)
    app.extensions["participation_api"] = api
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
    # Read-only: nothing to protect from cross-site forgery.
    for blueprint in (*BLUEPRINTS, docs_bp):
        csrf.exempt(blueprint)
    app.after_request(add_public_headers)
