"""Who may open a line or watch the monitor feed: tokens, the Origin check, AudioSocket peers.

A tokens file (``conduct stream --listen ... --tokens FILE``, TOML) names
each line source and each monitor with its own token::

    [[line]]
    name = "pbx-east"                 # recorded with every call it sends
    token_sha256 = "9f86d0..."        # sha256 hex of the token (or: token = "...")
    halls = ["东城区政务服务大厅"]      # optional: the only halls its headers may name

    [[monitor]]
    name = "review-app"
    token_sha256 = "..."

A client presents its token as ``Authorization: Bearer <token>`` (or, for
a PBX module that cannot set headers, as ``?token=`` in the URL). A line
token does not open the monitor, nor a monitor token a line. Tokens are
compared in constant time, and the file may hold only their hashes.

Without a tokens file every bind address must be a loopback address (the
listener refuses to start otherwise): nobody else can reach it then.

A request that carries an ``Origin`` header comes from a web page; it is
refused unless that origin is listed (``--allow-origin``), so a page on
another site cannot read the monitor feed or inject a line through a
supervisor's browser (cross-site WebSocket hijacking).

AudioSocket (TCP, no headers) is guarded by the peer's address: only the
networks given with ``--audiosocket-allow`` (default: loopback) may connect.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from analyzer.errors import OptionError
from analyzer.stream.line import text_problem

#: What a token opens.
KINDS: tuple[str, ...] = ("line", "monitor")
#: Largest tokens file read.
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class Grant:
    """One token: its holder's name, what it opens, and (for lines) the halls it may name.

    Attributes:
        name: The holder (a PBX, a hall's gateway, the review app).
        kind: ``line`` or ``monitor``.
        digest: sha256 of the token.
        halls: The halls a line source may name in its headers (empty: any).
    """

    name: str
    kind: str
    digest: bytes
    halls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """Whether a request is let in: the grant it holds (None: refused) and why not."""

    grant: Grant | None
    status: int = 200
    reason: str = ""


LOOPBACK = Grant("loopback", "any", b"")


@dataclass(frozen=True)
class Access:
    """The listener's door (see the module docstring).

    Attributes:
        grants: The tokens (empty: no tokens file; loopback binds only).
        origins: Web origins allowed to open the feed or a line (``https://host:port``).
        audiosocket_peers: Networks AudioSocket connections may come from.
    """

    grants: tuple[Grant, ...] = ()
    origins: tuple[str, ...] = ()
    audiosocket_peers: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    _networks: tuple[Any, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            nets = tuple(ipaddress.ip_network(n, strict=False) for n in self.audiosocket_peers)
        except ValueError as exc:
            raise OptionError(f"--audiosocket-allow: {exc}") from None
        object.__setattr__(self, "_networks", nets)

    @property
    def tokens(self) -> bool:
        """True when a tokens file is in force."""
        return bool(self.grants)

    def check(self, kind: str, headers: Mapping[str, str], path: str) -> Decision:
        """Let a WebSocket request for a ``line`` or the ``monitor`` in, or say why not.

        Args:
            kind: ``line`` or ``monitor``.
            headers: The request's headers (case-insensitive mapping).
            path: The request's path with its query (``?token=``).
        """
        origin = headers.get("Origin")
        if origin is not None and origin.rstrip("/") not in self.origins:
            return Decision(None, 403, f"origin {origin[:80]!r} is not allowed")
        if not self.grants:
            return Decision(LOOPBACK)
        token = _bearer(headers.get("Authorization", "")) or _query_token(path)
        if not token:
            return Decision(None, 401, "a token is required (Authorization: Bearer ...)")
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        for grant in self.grants:
            if grant.kind == kind and hmac.compare_digest(grant.digest, digest):
                return Decision(grant)
        return Decision(None, 403, f"the token does not open a {kind}")

    def peer_allowed(self, host: str) -> bool:
        """True when an AudioSocket peer's address is in an allowed network."""
        try:
            address = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            return False
        return any(address in net for net in self._networks)

    def require_safe_binds(self, hosts: Iterable[str]) -> None:
        """Refuse to serve beyond loopback without tokens.

        Raises:
            OptionError: A bind address is not loopback and there is no tokens file.
        """
        if self.grants:
            return
        for host in hosts:
            if not _loopback(host):
                raise OptionError(
                    f"the listener would accept lines and show every live transcript to anyone "
                    f"who reaches {host}; give --tokens FILE (a token per line source and "
                    "monitor) or bind to 127.0.0.1")


def _loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bearer(value: str) -> str:
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _query_token(path: str) -> str:
    values = parse_qs(urlsplit(path).query).get("token", [])
    return values[0] if values else ""


def load_access(path: Path | None, origins: Sequence[str] = (),
                audiosocket_peers: Sequence[str] = ()) -> Access:
    """The door a tokens file describes (see the module docstring).

    Raises:
        OptionError: The file is unreadable, too large, not TOML, or an entry
            is malformed (the message names the file and the entry).
    """
    peers = tuple(audiosocket_peers) or Access().audiosocket_peers
    clean = tuple(o.rstrip("/") for o in origins)
    if path is None:
        return Access((), clean, peers)
    where = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise OptionError(f"{where}: cannot read the tokens file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise OptionError(f"{where}: the tokens file is larger than {MAX_FILE_BYTES} bytes")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise OptionError(f"{where}: not a TOML tokens file: {exc}") from None
    unknown = sorted(set(data) - set(KINDS))
    if unknown:
        raise OptionError(f"{where}: unknown table(s) {', '.join(unknown)}; expected "
                          "[[line]] and [[monitor]]")
    grants = [_grant(where, kind, k, entry) for kind in KINDS
              for k, entry in enumerate(data.get(kind, []))]
    if not grants:
        raise OptionError(f"{where}: no [[line]] or [[monitor]] entry")
    names = [(g.kind, g.name) for g in grants]
    if len(set(names)) != len(names):
        raise OptionError(f"{where}: a name is given twice")
    digests = [g.digest for g in grants]
    if len(set(digests)) != len(digests):
        raise OptionError(f"{where}: two entries share a token (give each its own)")
    return Access(tuple(grants), clean, peers)


def _grant(where: str, kind: str, index: int, entry: Any) -> Grant:
    at = f"{where}: [[{kind}]] #{index + 1}"
    if not isinstance(entry, dict):
        raise OptionError(f"{at}: expected a table")
    unknown = sorted(set(entry) - {"name", "token", "token_sha256", "halls"})
    if unknown:
        raise OptionError(f"{at}: unknown key(s) {', '.join(unknown)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or text_problem(name) or len(name) > 100:
        raise OptionError(f"{at}: name must be a printable string of 1-100 characters")
    if ("token" in entry) == ("token_sha256" in entry):
        raise OptionError(f"{at} ({name}): give token or token_sha256, one of them")
    if "token" in entry:
        token = entry["token"]
        if not isinstance(token, str) or len(token) < 16:
            raise OptionError(f"{at} ({name}): token must be a string of at least 16 characters")
        digest = hashlib.sha256(token.encode("utf-8")).digest()
    else:
        hexed = entry["token_sha256"]
        try:
            digest = bytes.fromhex(hexed) if isinstance(hexed, str) else b""
        except ValueError:
            digest = b""
        if len(digest) != 32:
            raise OptionError(f"{at} ({name}): token_sha256 must be 64 hexadecimal digits")
    halls = entry.get("halls", [])
    if kind != "line" and halls:
        raise OptionError(f"{at} ({name}): halls applies to [[line]] entries only")
    if not isinstance(halls, list) or not all(isinstance(h, str) for h in halls):
        raise OptionError(f"{at} ({name}): halls must be a list of strings")
    return Grant(name.strip(), kind, digest, tuple(halls))
