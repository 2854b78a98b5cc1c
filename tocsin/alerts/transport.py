"""Sending one alert through Apprise, refusing private addresses unless allowed.

The address check is made twice: when a channel is added (a clear error for
the administrator) and at every connection, because a public name can be
made to resolve to a private address later (DNS rebinding). The connect-time
check wraps ``socket.getaddrinfo`` for the current delivery only, so it
covers every protocol Apprise speaks -- HTTP(S) through urllib3 and SMTP
through smtplib both resolve through it."""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import apprise

# Schemes whose host is the receiver itself (self-hosted), so it can be
# checked when the channel is added. For hosted services (Telegram, ...) the
# URL's "host" is a token, and the connect-time check covers them.
SELF_HOSTED_SCHEMES = {"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos",
                       "signal", "signals", "matrix", "matrixs", "ntfy", "ntfys", "gotify", "gotifys"}


class ChannelError(ValueError):
    """The URL is not a channel we can deliver to."""


class PrivateAddress(ChannelError):
    pass


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


_allow_private: contextvars.ContextVar[bool | None] = contextvars.ContextVar("allow_private", default=None)
_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    results = _real_getaddrinfo(host, *args, **kwargs)
    allow = _allow_private.get()
    if allow is None or allow:
        return results
    public = [result for result in results if is_public(str(result[4][0]))]
    if not public:
        raise PrivateAddress(f"{host} resolves only to private or loopback addresses")
    return public


def install_connect_guard() -> None:
    """Called once per process that delivers alerts (the worker)."""
    socket.getaddrinfo = _guarded_getaddrinfo


@contextlib.contextmanager
def connect_policy(*, allow_private: bool) -> Iterator[None]:
    token = _allow_private.set(allow_private)
    try:
        yield
    finally:
        _allow_private.reset(token)


def parse(url: str) -> Any:
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise ChannelError("not a notification URL Apprise understands (see its list of services)")
    return plugin


def check_channel_url(url: str, *, allow_private: bool) -> str:
    """Validate ``url``; return a label with its secrets masked."""
    plugin = parse(url)
    scheme = url.split("://", 1)[0].lower()
    host = getattr(plugin, "smtp_host", None) or getattr(plugin, "host", None)
    if scheme in SELF_HOSTED_SCHEMES and host and not allow_private:
        try:
            addresses = {str(info[4][0]) for info in _real_getaddrinfo(host, None)}
        except OSError as exc:
            raise ChannelError(f"cannot resolve {host}: {exc.strerror or exc}") from exc
        private = sorted(a for a in addresses if not is_public(a))
        if private:
            raise PrivateAddress(
                f"{host} resolves to a private or loopback address ({', '.join(private)}); "
                "add the channel with --allow-private if that is intended"
            )
    return str(plugin.url(privacy=True))[:300]


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    idempotency_key: str
    fields: dict[str, str]


def _with_extras(url: str, message: Message) -> str:
    """JSON webhooks get the idempotency key as a header and the alert's
    fields as JSON members, so a receiver need not parse the text."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in {"json", "jsons"}:
        return url
    extras = {"+Idempotency-Key": message.idempotency_key}
    extras.update({f":{key}": value for key, value in message.fields.items()})
    return url + ("&" if "?" in url else "?") + urlencode(extras)


def send(url: str, message: Message, *, allow_private: bool, timeout: float = 10.0) -> None:
    """Deliver ``message``; raise ``ChannelError`` or ``OSError`` on failure."""
    plugin = parse(_with_extras(url, message))
    with contextlib.suppress(AttributeError):
        plugin.socket_connect_timeout = timeout
        plugin.socket_read_timeout = timeout
    with connect_policy(allow_private=allow_private):
        delivered = plugin.notify(body=message.body, title=message.title)
    if not delivered:
        raise ChannelError("the receiver did not accept the message")
