"""Accounts, sessions and CSRF tokens of the review web app.

The app keeps its own tables in the results database (next to the store's
tables, which it does not touch): ``users`` (name, role, argon2 hash) and
``sessions`` (server-side sessions). The browser only holds a random session
token in an HttpOnly, SameSite=Strict cookie; the database keeps its SHA-256,
so a copy of the database cannot be used to log in. Sessions end after
``idle_timeout`` seconds without a request or ``max_age`` seconds after login,
whichever comes first, and at logout.

Every session carries a CSRF token that each form posts back (and scripts
send as ``X-CSRF-Token``); the login form, which has no session yet, uses a
double-submit cookie.

Every function takes the results database's pool
(:class:`~analyzer.store.database.Database`): reads run on the calling
thread's connection, writes on the pool's one writer, so the review app
reads sessions through the same connections as its pages. Times come from
the ``now`` argument where a test or the app's clock gives one.

Failed logins are kept in ``login_failures``: after ``limit`` failures for
one account (or four times as many from one client address) within
``seconds``, further attempts are refused, even with the right password,
until the oldest of them is that old (:func:`login_lock`).
A successful login clears the account's failures.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InvalidRequest, NotFound, StoreError, require
from analyzer.limits import identifier_problem
from analyzer.store.database import Database

#: Roles, and what each may open. Admin may open everything. Inspectors review
#: findings; supervisors see staff names, file appeals for their staff, rule on
#: appeals and set rectifications; trainers see masked examples only; a staff
#: member (an account linked to a staff id) sees their own results and
#: interactions and appeals their own confirmed findings.
ROLES: tuple[str, ...] = ("inspector", "supervisor", "trainer", "admin", "staff")
#: Roles that see staff members' names (others see staff ids only).
NAME_ROLES: tuple[str, ...] = ("supervisor", "admin")

#: Version of the tables below, kept in ``web_meta`` (the store keeps its own).
#: Version 3: the supervisor role (the users table is rebuilt with the wider check).
#: Version 4: the staff role and ``users.staff_id`` (rebuilt the same way).
#: Version 5: accounts are guarded like the store's audited tables
#: (:data:`analyzer.store.guards.ACCOUNTS`): every change names its user in
#: ``users.changed_by`` and writes an ``account`` row to the audit trail (never
#: the password hash); no account is deleted or replaced.
WEB_SCHEMA_VERSION = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('inspector', 'supervisor', 'trainer', 'admin', 'staff')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    disabled INTEGER NOT NULL DEFAULT 0,
    staff_id TEXT NOT NULL DEFAULT '' CHECK ((role = 'staff') = (staff_id != '')),
    changed_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS login_failures (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_name ON login_failures(name, at);
CREATE INDEX IF NOT EXISTS login_failures_address ON login_failures(address, at);
CREATE TABLE IF NOT EXISTS user_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    lang TEXT NOT NULL
);
"""

#: Failures from one client address allowed per account limit (an office
#: behind one NAT address shares it).
ADDRESS_FACTOR = 4


@dataclass(frozen=True)
class User:
    """A logged-in user."""

    id: int
    name: str
    role: str
    #: The staff id a ``staff`` account is (empty for every other role).
    staff_id: str = ""
    #: The language the user chose for the pages ("": the default, Chinese).
    lang: str = ""

    def may(self, *roles: str) -> bool:
        """True when the user has one of ``roles`` (admins may do everything)."""
        return self.role == "admin" or self.role in roles

    @property
    def sees_names(self) -> bool:
        """True when staff members' names may be shown to this user (:data:`NAME_ROLES`)."""
        return self.role in NAME_ROLES


@dataclass(frozen=True)
class Session:
    """A live session: who, and the CSRF token its forms must post back."""

    user: User
    csrf_token: str
    expires_at: float


@dataclass(frozen=True)
class Account:
    """One account as the admin page and ``conduct users list`` show it."""

    id: int
    name: str
    role: str
    staff_id: str
    created_at: str
    disabled: bool


@dataclass(frozen=True)
class LoggedIn:
    """A login that succeeded: the user."""

    user: User


@dataclass(frozen=True)
class Refused:
    """A wrong name or password (the two are not told apart)."""


@dataclass(frozen=True)
class LockedOut:
    """Too many failed logins: no attempt is checked for ``wait`` more seconds."""

    wait: float


#: What one login attempt came to.
LoginOutcome = LoggedIn | Refused | LockedOut


def connect(db: str | Path, *, create: bool = True) -> Database:
    """Open a results database's pool with the web tables in place (``conduct users``).

    The review app does not call it: it migrates the tables once on its
    store's pool (:func:`migrate`).

    Args:
        db: The results database.
        create: A missing or empty file may become one (False: refuse it).

    Raises:
        StoreError: When the file is not a results database (another
            program's SQLite file is left untouched) or cannot be opened.
    """
    from analyzer.store.core import Store, check_results_file

    check_results_file(db, create=create)
    if create:  # the results schema first: the accounts' audit rows go to its trail
        Store(db).close()
    database = Database(db, readonly=False)
    try:
        migrate(database)
    except BaseException:
        database.close()
        raise
    return database


def migrate(db: Database) -> None:
    """Create the web tables, or upgrade them to :data:`WEB_SCHEMA_VERSION`.

    Raises:
        StoreError: The tables are newer than this program knows.
    """
    db.write(_migrate, transaction=False)


def _migrate(con: sqlite3.Connection) -> None:
    try:
        con.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open the results database: {exc}") from exc
    row = con.execute("SELECT value FROM web_meta WHERE key = 'schema_version'").fetchone()
    if row is not None and int(row[0]) > WEB_SCHEMA_VERSION:
        raise StoreError(
            f"web tables have schema version {row[0]}, newer than this program "
            f"({WEB_SCHEMA_VERSION}); upgrade conduct-analyzer"
        )
    _widen_roles(con)
    _guard_accounts(con)
    con.execute("INSERT OR REPLACE INTO web_meta(key, value) VALUES ('schema_version', ?)",
                (str(WEB_SCHEMA_VERSION),))


def _guard_accounts(con: sqlite3.Connection) -> None:
    """Web schema version 5: ``users.changed_by`` and the accounts' audit triggers.

    The triggers write to the store's ``audit`` table; on a file without it
    (web tables made before any results) they are added by the next migration
    after the store's schema is in place (:func:`connect` puts it there first).
    """
    from analyzer.store.guards import ACCOUNTS

    columns = {r[1] for r in con.execute("PRAGMA table_info(users)")}
    if "changed_by" not in columns:
        con.execute("ALTER TABLE users ADD COLUMN changed_by TEXT NOT NULL DEFAULT ''")
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'"
                   ).fetchone() is None:
        return
    for statement in ACCOUNTS.triggers():
        con.execute(statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))


def local_actor() -> str:
    """Who changes accounts from this machine's command line: ``cli:<login name>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return f"cli:uid-{os.getuid()}"


def _widen_roles(con: sqlite3.Connection) -> None:
    """Rebuild a users table whose role check predates the supervisor or staff role (-> v4).

    SQLite cannot alter a CHECK constraint, so the table is copied into one
    with the current definition (ids, hashes and sessions kept).
    """
    sql = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
                      ).fetchone()[0]
    if "'staff'" in sql:
        return
    definition = _SCHEMA.split("CREATE TABLE IF NOT EXISTS users", 1)[1].split(";", 1)[0]
    con.execute("PRAGMA foreign_keys = OFF")
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("CREATE TABLE users_new" + definition)
        con.execute("INSERT INTO users_new (id, name, role, password_hash, created_at, disabled) "
                    "SELECT id, name, role, password_hash, created_at, disabled FROM users")
        con.execute("DROP TABLE users")
        con.execute("ALTER TABLE users_new RENAME TO users")
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.execute("PRAGMA foreign_keys = ON")


def _hasher() -> Any:
    argon2 = require("argon2", "web")
    return argon2.PasswordHasher()


def add_user(db: Database, name: str, role: str, password: str, staff_id: str = "", *,
             by: str = "") -> int:
    """Create a user (or reset an existing user's role and password).

    Args:
        db: The results database.
        name: Login name.
        role: One of :data:`ROLES`.
        password: At least 8 characters; stored as an argon2id hash.
        staff_id: The staff id of a ``staff`` account (required for that
            role, refused for the others).
        by: Who makes the change, for the audit trail (an admin's name in
            the app; default :func:`local_actor`).

    Returns:
        The user's id.

    Raises:
        InvalidRequest: For an unknown role, an empty name, a short password, a
            staff account without a staff id (or another role with one), a
            name or staff id holding a control or format character, or
            taking the admin role from the last enabled admin.
    """
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    staff_id = staff_id.strip()
    if (role == "staff") != bool(staff_id):
        raise InvalidRequest("a staff account needs --staff-id (the staff id it is), and only it")
    name = name.strip()
    if not name:
        raise InvalidRequest("user name is empty")
    for what, value in (("user name", name), ("staff id", staff_id)):
        problem = identifier_problem(value)
        if problem:
            raise InvalidRequest(f"the {what} {problem}")
    actor = by or local_actor()
    if len(password) < 8:
        raise InvalidRequest("password must have at least 8 characters")
    digest = _hasher().hash(password)  # slow on purpose: before the write, not in it

    def job(con: sqlite3.Connection) -> int:
        current = con.execute("SELECT role, disabled FROM users WHERE name = ?",
                              (name,)).fetchone()
        if current is not None and current[0] == "admin" and not current[1] and role != "admin":
            admins = con.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' "
                                 "AND disabled = 0").fetchone()[0]
            if admins <= 1:
                raise InvalidRequest(f"{name} is the last admin; make another user admin first")
        if current is None:
            con.execute("INSERT INTO users(name, role, password_hash, staff_id, changed_by) "
                        "VALUES (?, ?, ?, ?, ?)", (name, role, digest, staff_id, actor))
        else:
            con.execute("UPDATE users SET role = ?, password_hash = ?, staff_id = ?, "
                        "disabled = 0, changed_by = ? WHERE name = ?",
                        (role, digest, staff_id, actor, name))
        # A new password ends the user's old sessions.
        con.execute("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)",
                    (name,))
        return int(con.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0])

    return db.write(job)


def list_users(db: Database) -> list[Account]:
    """Every account, by name."""
    return [Account(r["id"], r["name"], r["role"], r["staff_id"], r["created_at"],
                    bool(r["disabled"]))
            for r in db.query("SELECT id, name, role, staff_id, created_at, disabled FROM users "
                              "ORDER BY name")]


def account(db: Database, user_id: int) -> Account:
    """One account.

    Raises:
        NotFound: No such user.
    """
    for found in db.query("SELECT id, name, role, staff_id, created_at, disabled FROM users "
                          "WHERE id = ?", (user_id,)):
        return Account(found["id"], found["name"], found["role"], found["staff_id"],
                       found["created_at"], bool(found["disabled"]))
    raise NotFound(f"no user with id {user_id}")


def set_disabled(db: Database, user_id: int, disabled: bool, *, by: str = "") -> None:
    """Disable (ending the user's sessions) or enable an account.

    Args:
        by: Who does it, for the audit trail (default :func:`local_actor`).

    Raises:
        NotFound: No such user.
    """
    actor = by or local_actor()

    def job(con: sqlite3.Connection) -> None:
        cur = con.execute("UPDATE users SET disabled = ?, changed_by = ? WHERE id = ?",
                          (int(disabled), actor, user_id))
        if cur.rowcount == 0:
            raise NotFound(f"no user with id {user_id}")
        if disabled:
            con.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    db.write(job)


def clear_login_failures(db: Database, name: str, *, by: str = "") -> None:
    """Forget an account's failed logins (an admin lifting a lock), in the audit trail.

    Args:
        by: Who lifts it (default :func:`local_actor`).
    """
    actor, name = by or local_actor(), name.strip()

    def job(con: sqlite3.Connection) -> None:
        failures = con.execute("DELETE FROM login_failures WHERE name = ?", (name,)).rowcount
        con.execute(
            "INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json) "
            "SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), ?, 'account', id, 'unlocked', "
            "json_object('failures', ?), NULL FROM users WHERE name = ?", (actor, failures, name))

    db.write(job)


#: A valid hash to verify against when the user does not exist, so a wrong
#: name takes as long as a wrong password.
_DUMMY_HASH: list[str] = []


def authenticate(db: Database, name: str, password: str) -> User | None:
    """Check a name and password; return the user, or None."""
    argon2 = require("argon2", "web")
    hasher = _hasher()
    rows = db.query("SELECT id, name, role, staff_id, password_hash FROM users WHERE name = ? "
                    "AND disabled = 0", (name.strip(),))
    if not rows:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hasher.hash(secrets.token_hex(8)))
        with contextlib.suppress(argon2.exceptions.VerificationError):
            hasher.verify(_DUMMY_HASH[0], password)
        return None
    row = rows[0]
    try:
        hasher.verify(row["password_hash"], password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return None
    if hasher.check_needs_rehash(row["password_hash"]):
        digest = hasher.hash(password)
        db.write(lambda con: con.execute(  # audited as the user's own change
            "UPDATE users SET password_hash = ?, changed_by = ? WHERE id = ?",
            (digest, f"{row['name']} (hash upgraded at login)", row["id"])))
    return User(row["id"], row["name"], row["role"], row["staff_id"])


def login_lock(db: Database, name: str, address: str | None, *, limit: int,
               seconds: float, now: float | None = None) -> float:
    """Seconds until ``name`` may try to log in from ``address`` again; 0: now.

    Args:
        db: The results database.
        name: The account name given.
        address: The client's address; None: the account's lock only.
        limit: Failures per account within ``seconds`` (``ADDRESS_FACTOR``
            times as many per address) after which attempts are refused.
        seconds: How long a failure counts.
        now: The time; default: the clock's.
    """
    now = time.time() if now is None else now
    waits = [0.0]
    checks = [("name", name.strip(), limit)]
    if address is not None:
        checks.append(("address", address, ADDRESS_FACTOR * limit))
    for column, value, cap in checks:
        rows = db.query(
            f"SELECT at FROM login_failures WHERE {column} = ? AND at > ? "
            "ORDER BY at DESC LIMIT ?", (value, now - seconds, cap))
        if cap and len(rows) >= cap:
            waits.append(rows[-1]["at"] + seconds - now)
    return max(waits)


def record_login(db: Database, name: str, address: str, ok: bool,
                 now: float | None = None) -> None:
    """Remember a failed login, or clear the account's failures after a good one."""
    at = time.time() if now is None else now

    def job(con: sqlite3.Connection) -> None:
        if ok:
            con.execute("DELETE FROM login_failures WHERE name = ?", (name.strip(),))
        else:
            con.execute("INSERT INTO login_failures(name, address, at) VALUES (?, ?, ?)",
                        (name.strip(), address, at))
            con.execute("DELETE FROM login_failures WHERE at < ?", (at - 86400.0,))

    db.write(job)


#: Striped per-account locks: the lock check, the password check and the
#: failure count of one account happen one attempt at a time.
_ACCOUNT_LOCKS = tuple(threading.Lock() for _ in range(64))
#: Password checks running at once (argon2 takes tens of MB each).
ARGON2_SLOTS = 2
_ARGON2 = threading.BoundedSemaphore(ARGON2_SLOTS)


def attempt_login(db: Database, name: str, password: str, address: str, *,
                  limit: int, seconds: float, now: float | None = None) -> LoginOutcome:
    """One login attempt, atomic per account.

    The lock check, the argon2 verification and the failure count run under
    the account's lock, so parallel attempts cannot all pass the check before
    any failure is counted; at most :data:`ARGON2_SLOTS` verifications run
    at once, so a burst of logins cannot exhaust the server's memory.

    Returns:
        :class:`LockedOut` (with the seconds to wait), :class:`Refused`, or
        :class:`LoggedIn` (with the user).
    """
    key = name.strip()
    with _ACCOUNT_LOCKS[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(_ACCOUNT_LOCKS)]:
        wait = login_lock(db, key, address, limit=limit, seconds=seconds, now=now)
        if wait > 0:
            return LockedOut(wait)
        with _ARGON2:
            user = authenticate(db, key, password)
        record_login(db, key, address, user is not None, now=now)
        return Refused() if user is None else LoggedIn(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(db: Database, user: User, *, max_age: float,
                   now: float | None = None) -> tuple[str, Session]:
    """Start a session; return the cookie token and the session."""
    token = secrets.token_urlsafe(32)
    at = time.time() if now is None else now
    csrf = secrets.token_urlsafe(32)

    def job(con: sqlite3.Connection) -> None:
        con.execute(
            "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (_token_hash(token), user.id, csrf, at, at, at + max_age))
        con.execute("DELETE FROM sessions WHERE expires_at < ?", (at,))

    db.write(job)
    return token, Session(user, csrf, at + max_age)


def load_session(db: Database, token: str | None, *, idle_timeout: float,
                 now: float | None = None) -> Session | None:
    """Return the live session of a cookie token, or None when absent or expired.

    A live session's ``last_seen`` moves to now; an expired one is deleted.
    """
    if not token:
        return None
    key = _token_hash(token)
    rows = db.query(
        "SELECT s.csrf_token, s.last_seen, s.expires_at, u.id, u.name, u.role, u.staff_id, "
        "u.disabled, p.lang FROM sessions s JOIN users u ON u.id = s.user_id "
        "LEFT JOIN user_prefs p ON p.user_id = u.id WHERE s.token_hash = ?",
        (key,))
    if not rows:
        return None
    row = rows[0]
    at = time.time() if now is None else now
    if row["disabled"] or at > row["expires_at"] or at - row["last_seen"] > idle_timeout:
        db.write(lambda con: con.execute("DELETE FROM sessions WHERE token_hash = ?", (key,)))
        return None
    db.write(lambda con: con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                                     (at, key)))
    return Session(User(row["id"], row["name"], row["role"], row["staff_id"], row["lang"] or ""),
                   row["csrf_token"], row["expires_at"])


def set_language(db: Database, user_id: int, lang: str) -> None:
    """Keep ``lang`` as the user's language for the pages (one of :data:`analyzer.i18n.LANGUAGES`).

    Raises:
        InvalidRequest: The product does not speak ``lang``.
    """
    from analyzer import i18n

    try:
        lang = i18n.normalize(lang)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    db.write(lambda con: con.execute(
        "INSERT INTO user_prefs (user_id, lang) VALUES (?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang", (user_id, lang)))


def end_session(db: Database, token: str | None) -> None:
    """Delete a session (logout)."""
    if token:
        db.write(lambda con: con.execute("DELETE FROM sessions WHERE token_hash = ?",
                                         (_token_hash(token),)))


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens; False when either is missing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
