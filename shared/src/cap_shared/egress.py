"""Outbound HTTP to other organisations' systems: refuse private destinations (SSRF).

A destination whose host resolves to a loopback, private, link-local, reserved or multicast
address (127.0.0.1, 10/8, 169.254.169.254, ::1...) is refused before any connection, unless the
caller allows private targets (development and tests only). Redirects are never followed by
the callers, so a public URL cannot bounce to a private one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class ForbiddenDestination(Exception):
    """The URL points at a private or otherwise forbidden address."""


async def check_destination(url: str, *, allow_private: bool = False) -> None:
    """Raise :class:`ForbiddenDestination` unless ``url`` is http(s) to a public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ForbiddenDestination(f"not an http(s) URL: {url!r}")
    if allow_private:
        return
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ForbiddenDestination(f"cannot resolve {host}") from exc
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise ForbiddenDestination(f"{host} resolves to a non-public address ({address})")
