"""The offline guard: while the book's notebooks execute and its tests run, nothing may reach the network.

The book promises that it runs without downloading anything (developers' guide, principle 5). This module
makes the promise checkable: :func:`install` patches Python's socket layer so that resolving or connecting
to any host other than this machine fails at once with :class:`NetworkBlockedError`, whose message names the
code that tried (``sklearn.datasets.fetch_openml``, ``scipy.datasets``' pooch download, a URL). Connections
to loopback addresses (the Jupyter kernel, a local test server) and Unix sockets are allowed.

``make test`` and ``make book`` switch it on for every Python process they start, notebook kernels included,
through ``tests/offline/sitecustomize.py`` and the environment variable ``DLBOOK_OFFLINE=1``. This module
imports only the standard library, so that hook stays cheap.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

#: Modules whose frames are the plumbing of a request, not the code that asked for it.
_PLUMBING = ("socket", "_socket", "ssl", "http.", "urllib.", "urllib3", "requests", "pooch", "httpx", "httpcore",
             "asyncio", "selectors", "email", "dlbook.offline", "dlbook_offline", "h11", "anyio", "certifi")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlockedError(OSError):
    """Raised when code tries to reach a host other than this machine while the offline guard is on."""


def is_local(host: Any) -> bool:
    """Whether ``host`` (a name or an IP address, str or bytes) denotes this machine."""
    if host is None:
        return True  # getaddrinfo(None, port): the loopback or wildcard address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0]
    if host == "" or host.lower() in _LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _caller() -> str:
    """The innermost few frames outside networking libraries: who asked for the connection."""
    frame, names = sys._getframe(2), []
    while frame is not None and len(names) < 3:
        module = frame.f_globals.get("__name__", "?")
        if not (module in ("socket", "ssl") or module.startswith(_PLUMBING)):
            names.append(f"{module}.{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})")
        frame = frame.f_back
    return " <- ".join(names) or "unknown code"


def _refuse(what: str, host: Any, port: Any) -> None:
    raise NetworkBlockedError(
        f"dlbook offline guard: blocked {what} {host}:{port}, requested by {_caller()}. "
        "The book runs offline: use dlbook.data or data that ships inside an installed package "
        "(no sklearn fetch_*, no scipy.datasets, no downloads). Set DLBOOK_OFFLINE=0 to lift the guard.")


def install() -> None:
    """Switch the guard on in this process (idempotent)."""
    if getattr(socket, "_dlbook_offline", False):
        return
    original_getaddrinfo = socket.getaddrinfo
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def getaddrinfo(host, port, *args, **kwargs):
        if not is_local(host):
            _refuse("a name lookup of", host, port)
        return original_getaddrinfo(host, port, *args, **kwargs)

    def _check(sock: socket.socket, address: Any, what: str) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            if not is_local(address[0]):
                _refuse(what, address[0], address[1] if len(address) > 1 else "?")

    def connect(self, address):
        _check(self, address, "a connection to")
        return original_connect(self, address)

    def connect_ex(self, address):
        _check(self, address, "a connection to")
        return original_connect_ex(self, address)

    def sendto(self, data, *args):
        _check(self, args[-1], "a datagram to")
        return original_sendto(self, data, *args)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket._dlbook_offline = True
