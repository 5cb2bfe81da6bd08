"""Swagger UI at `/docs`, served from the files the `fastapi-offline` package ships.

FastAPI's own page loads Swagger UI's script and styles from a CDN, so on an intranet without
internet access it stays blank. Here the page points at the same files mounted from the installed
package, and nothing the page needs lies outside the service.
"""

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
STATIC_URL = "/docs/static"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# swagger-ui-bundle.js, swagger-ui.css and favicon.png, from the Swagger UI 5 distribution.
SWAGGER_UI_ASSETS = files("fastapi_offline") / "static"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI for the app's OpenAPI document; none of these routes is an operation."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        raise ValueError("Swagger UI needs the OpenAPI document to be served")
    app.mount(STATIC_URL, StaticFiles(directory=str(SWAGGER_UI_ASSETS)), name="docs-static")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
