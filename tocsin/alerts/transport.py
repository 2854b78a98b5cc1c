"""Sending one alert through Apprise, refusing private addresses unless allowed.

The address check is made twice: when a channel is added (a clear error for
the administrator) and at every connection, because a public name can be
made to resolve to a private address later (DNS rebinding), and because
anyone who can write a channel row can skip ``tocsin channel add``. The
connect-time check wraps ``socket.getaddrinfo`` for the current delivery
only, so it covers every protocol Apprise speaks -- HTTP(S) through urllib3
and SMTP through smtplib both resolve through it, and both connect to the
addresses it returns, so the address checked is the address used."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import ipaddress
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import apprise
from apprise import plugins as apprise_plugins

# Schemes whose host is the receiver itself (self-hosted), so it can be
# checked when the channel is added. For hosted services (Telegram, ...) the
# URL's "host" is a token -- resolving it would hand the token to the DNS
# resolver -- and the connect-time check covers them.
SELF_HOSTED_SCHEMES = {
    "json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos", "signal", "signals",
    "matrix", "matrixs", "ntfy", "ntfys", "gotify", "gotifys", "mmost", "mmosts", "rocket", "rockets",
    "apprise", "apprises", "nctalk", "nctalks", "ncloud", "nclouds", "mqtt", "mqtts",
}


class ChannelError(ValueError):
    """The URL is not a channel we can deliver to, or a delivery failed."""


class Undeliverable(ChannelError):
    """A failure that retrying cannot mend: the alert becomes a dead letter at
    once, so an administrator sees it now rather than in two hours."""


class PrivateAddress(Undeliverable):
    """The receiver's address is loopback, private or otherwise not global."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass
class _Delivery:
    """What one ``send`` allows and what happened during it (per thread)."""

    allow_private: bool
    refusals: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)  # Apprise's warnings, for last_error


_delivery: contextvars.ContextVar[_Delivery | None] = contextvars.ContextVar("alert_delivery", default=None)
_real_getaddrinfo = socket.getaddrinfo


class _Refused(socket.gaierror):
    """Raised where a failed name lookup would be, so every library handles it
    as the connection failure it is; ``send`` then reports the refusal itself."""


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    results = _real_getaddrinfo(host, *args, **kwargs)
    delivery = _delivery.get()
    if delivery is None or delivery.allow_private:
        return results
    public = [result for result in results if is_public(str(result[4][0]))]
    if not public:
        addresses = ", ".join(sorted({str(result[4][0]) for result in results}))
        reason = (f"refused at connect: {host} resolves only to private or loopback "
                  f"addresses ({addresses})")
        delivery.refusals.append(reason)
        raise _Refused(socket.EAI_NONAME, reason)
    return public


class _ComplaintHandler(logging.Handler):
    """Keeps Apprise's own warnings (\"HTTP Error 500\", \"Connection error
    while submitting email\") for the delivery running in this thread."""

    def emit(self, record: logging.LogRecord) -> None:
        delivery = _delivery.get()
        if delivery is not None:
            delivery.complaints.append(record.getMessage())


_installed = False


def install_connect_guard() -> None:
    """Guard this process's name lookups during deliveries. Idempotent;
    ``send`` calls it, so no delivering process can forget it. Lookups made
    outside a delivery (the database, the web) pass through untouched."""
    global _installed
    if _installed:
        return
    socket.getaddrinfo = _guarded_getaddrinfo
    logging.getLogger("apprise").addHandler(_ComplaintHandler(logging.WARNING))
    _installed = True


@contextlib.contextmanager
def connect_policy(*, allow_private: bool) -> Iterator[_Delivery]:
    install_connect_guard()
    delivery = _Delivery(allow_private)
    token = _delivery.set(delivery)
    try:
        yield delivery
    finally:
        _delivery.reset(token)


def parse(url: str) -> Any:
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise ChannelError("not a notification URL Apprise understands (see its list of services)")
    return plugin


def _host_of(plugin: Any) -> str:
    return str(getattr(plugin, "smtp_host", None) or getattr(plugin, "host", None) or "")


def _literal_address(host: str) -> str | None:
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(host.split("%")[0]))
    return None


def check_channel_url(url: str, *, allow_private: bool) -> str:
    """Validate ``url``; return a label with its secrets masked.

    Raises ``ChannelError`` (``PrivateAddress`` for a receiver on loopback or
    a private network without ``allow_private``)."""
    plugin = parse(url)
    scheme = url.split("://", 1)[0].lower()
    host = _host_of(plugin).strip("[]")  # an IPv6 literal comes bracketed
    if host and not allow_private:
        literal = _literal_address(host)
        if literal is not None or host.lower() == "localhost" or scheme in SELF_HOSTED_SCHEMES:
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


IDEMPOTENCY_HEADER = "Idempotency-Key"
# Mail has no standard idempotency header; receivers that care can read this
# one (or the body line), and Message-ID cannot be set through Apprise.
MAIL_IDEMPOTENCY_HEADER = "X-Tocsin-Idempotency-Key"


# Channels parsed lately, by URL. Parsing is a pure function of the URL, so
# an entry cannot go stale: a channel whose URL changes is looked up under
# its new URL. Bounded, so URLs of channels deleted since are soon evicted.
PARSED_CHANNELS = 256


@functools.lru_cache(maxsize=PARSED_CHANNELS)
def _parsed(url: str) -> dict[str, Any] | None:
    """Apprise's parse of ``url`` (None if it is not an Apprise URL): most of
    the CPU a delivery costs, so it is done once per channel, not per message."""
    return apprise_plugins.url_to_dict(url, secure_logging=True)


def _plugin_for(url: str, message: Message) -> Any:
    """A fresh Apprise plugin for one message of the channel ``url``, made
    from the channel's cached parse (``Apprise.instantiate`` takes the parse
    as a dictionary). Fresh, because deliveries of one channel run side by side.

    JSON webhooks get the idempotency key as a header and the alert's
    fields as JSON members, so a receiver need not parse the text; mail gets
    the key as a header too (it is in the body as well). A channel's own
    ``+header`` or ``:member`` of the same name is overridden."""
    parsed = _parsed(url)
    if parsed is None:
        raise ChannelError("not a notification URL Apprise understands (see its list of services)")
    # One level deep: the plugin may keep (or change) the lists and dicts it is given.
    results: dict[str, Any] = {key: value.copy() if isinstance(value, dict | list | set) else value
               for key, value in parsed.items()}
    scheme = str(results.get("schema", "")).lower()
    if scheme in {"json", "jsons"}:
        results["headers"] = {**results.get("headers", {}), IDEMPOTENCY_HEADER: message.idempotency_key}
        results["payload"] = {**results.get("payload", {}), **message.fields}
    elif scheme in {"mailto", "mailtos"}:
        results["headers"] = {**results.get("headers", {}), MAIL_IDEMPOTENCY_HEADER: message.idempotency_key}
    plugin = apprise.Apprise.instantiate(results, suppress_exceptions=True)
    if plugin is None:
        raise ChannelError("not a notification URL Apprise understands (see its list of services)")
    return plugin


def send(url: str, message: Message, *, allow_private: bool, timeout: float = 10.0) -> None:
    """Deliver ``message`` through the channel ``url``.

    Raises ``Undeliverable`` (``PrivateAddress`` for a refused address) when
    retrying cannot help, ``ChannelError`` for a failure worth retrying, with
    the receiver's or the connection's reason as precisely as Apprise tells it."""
    try:
        plugin = _plugin_for(url, message)
    except ChannelError as exc:
        raise Undeliverable(str(exc)) from exc
    # Bounded, so the worker's lease on a claimed alert outlasts its delivery.
    with contextlib.suppress(AttributeError):
        plugin.socket_connect_timeout = timeout
        plugin.socket_read_timeout = timeout
    with connect_policy(allow_private=allow_private) as delivery:
        delivered = plugin.notify(body=message.body, title=message.title)
    if delivery.refusals:
        raise PrivateAddress(delivery.refusals[0])
    if not delivered:
        reasons = [line for line in delivery.complaints if line]
        raise ChannelError("; ".join(reasons[-2:]) if reasons else "the receiver did not accept the message")


_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def redact(text: str, url: str) -> str:
    """``text`` (a failure's reason, for the dead-letter page and the log)
    without the channel's credentials: an exception from a library can quote
    the URL, a bot token in its path or a password in its query. Every part
    of ``url`` long enough to be a secret is masked, and so is anything else
    that looks like a URL."""
    parts = urlsplit(url)
    secrets = {parts.netloc.rpartition("@")[0], *parts.path.split("/"), parts.query,
               *(value for pair in parts.query.split("&") for value in pair.split("=")[1:])}
    secrets |= {unquote(secret) for secret in secrets}
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return _URL.sub(lambda found: found.group(0).split("://", 1)[0] + "://***", text)
