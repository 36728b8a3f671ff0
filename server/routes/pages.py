"""Pages and static files of the browser client, with CSP and security headers."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth import BOARD_ID_RE
from ..state import AppState

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]

# the client's service worker: /assets/sw.js, not content-hashed (see client/build.mjs)
SERVICE_WORKER = "sw.js"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>cocanvas</title></head><body><main><h1>cocanvas</h1>
<p>The browser client is not built yet. Run <code>make run</code>, which builds it.</p>
</main></body></html>"""


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _page(static_dir: Path, name: str) -> Response:
    path = static_dir / name
    if not path.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503)
    return FileResponse(path, media_type="text/html", headers={"cache-control": "no-cache"})


async def landing(request: Request) -> Response:
    state: AppState = request.app.state.cocanvas
    return _page(state.static_dir, "index.html")


async def board_page(request: Request) -> Response:
    state: AppState = request.app.state.cocanvas
    if not BOARD_ID_RE.match(request.path_params["board_id"]):
        return HTMLResponse("<!doctype html><title>Not found</title>", status_code=404)
    return _page(state.static_dir, "board.html")


async def asset(request: Request) -> Response:
    """Hashed bundle files: cached for a year, since a new build gets new names."""
    state: AppState = request.app.state.cocanvas
    name = request.path_params["name"]
    root = (state.static_dir / "assets").resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    if name == SERVICE_WORKER:
        # stable name, so always revalidated; allowed to control the whole site (offline reload)
        return FileResponse(
            path,
            media_type="text/javascript",
            headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
        )
    return FileResponse(path, headers={"cache-control": "public, max-age=31536000, immutable"})
