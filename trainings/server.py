"""The waitress runner of the ini files: `pserve production.ini http_port=8001` serves on
127.0.0.1:8001 (behind the reverse proxy), `listen=0.0.0.0:8001` anywhere one asks.

PasteDeploy lets a file's [DEFAULT] value win over the command line's, so the port's default
cannot live there; this runner reads the command line's `http_port` and `listen` first, then
the [server:main] section's `host`/`port` (or its own `listen`)."""
from __future__ import annotations

import waitress

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", "6543"


def listen_address(global_conf: dict, settings: dict) -> str:
    """What to listen on; removes `host`, `port` and `listen` from `settings`."""
    host, port = settings.pop("host", DEFAULT_HOST), settings.pop("port", DEFAULT_PORT)
    listen = settings.pop("listen", None)
    if global_conf.get("listen"):
        return global_conf["listen"]
    if global_conf.get("http_port"):
        return f"{host}:{global_conf['http_port']}"
    return listen or f"{host}:{port}"


def serve(wsgi_app, global_conf, **settings):
    return waitress.serve(wsgi_app, listen=listen_address(global_conf, settings), **settings)
