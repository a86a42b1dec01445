"""The threaded WSGI server the HTTP modes of the front ends listen with (Slack's events, Feishu's
callbacks): the standard library's, one thread per request, request lines logged at debug level."""
from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger(__name__)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)


def serve(listen: str, port: int, app: Any) -> WSGIServer:
    """A server bound to `listen:port` for `app`; the caller runs `serve_forever` on a thread."""
    return make_server(listen, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
