"""What makes Phủ Số an installable app that opens with no network: manifest, service worker, offline pages."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, url_for
from flask_babel import gettext as _

from app.web import render

bp = Blueprint("pwa", __name__)

# Files the service worker stores at install: the whole app shell.
SHELL_STATIC = ("css/app.css", "js/htmx.min.js", "js/app.js", "js/queue.js", "js/offline.js", "js/photos.js",
                "icons/icon.svg", "icons/icon-192.png")


@cache
def shell_version() -> str:
    """Changes whenever a shell file changes, so phones drop the old cache and fetch the new one."""
    digest = hashlib.sha256()
    static = Path(current_app.static_folder or "static")
    for name in (*SHELL_STATIC, "js/sw.js"):
        digest.update((static / name).read_bytes())
    return digest.hexdigest()[:12]


@bp.route("/manifest.webmanifest")
def manifest():
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}
    body = jsonify({
        "name": _("Phủ Số — community digital-technology teams"),
        "short_name": _("Phủ Số"),
        "description": _("The field notebook of community digital-technology teams."),
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": "#0b5d3b",
        "background_color": "#f6f8f7",
        "icons": [icon("icon-192.png", "192x192"), icon("icon-512.png", "512x512"),
                  icon("maskable-512.png", "512x512", "maskable")],
    })
    body.mimetype = "application/manifest+json"
    return body


@bp.route("/sw.js")
def service_worker():
    """Served from the site root so its scope is the whole app."""
    source = Path(current_app.static_folder, "js", "sw.js").read_text(encoding="utf-8")
    shell = [url_for("static", filename=name) for name in SHELL_STATIC]
    header = (f'const VERSION = "{shell_version()}";\nconst SHELL = {shell!r};\n'
              f'const SERVER_TIMEOUT = {int(current_app.config["SERVER_TIMEOUT_MS"])};\n').replace("'", '"')
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline():
    return render("pwa/offline.html")


@bp.route("/queue")
def queue():
    """The list of what waits on this phone; filled from the phone's storage by offline.js."""
    return render("pwa/queue.html")
