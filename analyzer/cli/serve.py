"""``conduct serve`` (the review web app) and ``conduct users`` (its accounts)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analyzer.cli.helptext import Command, Group
from analyzer.web.auth import ROLES


@click.command(cls=Command)
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Results database written by `conduct batch`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--recordings-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder holding the recordings; audio is served only from inside it.")
@click.option("--idle-timeout", default=30, show_default=True, type=click.IntRange(1),
              help="Minutes without a request after which a session ends.")
@click.option("--session-hours", default=12.0, show_default=True, type=click.FloatRange(0.01),
              help="Hours after login after which a session ends.")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (serve behind HTTPS).")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra lexicon file layered over the shipped one (repeatable).")
@click.option("--login-max-failures", default=5, show_default=True, type=click.IntRange(0),
              help="Failed logins per account (4x per client address) before attempts are "
                   "refused for a while (0: no limit).")
@click.option("--login-failure-seconds", "--login-window", "login_failure_seconds", default=900.0,
              show_default=True, type=click.FloatRange(1),
              help="Seconds a failed login counts.")
@click.option("--live", "live_url", default="", metavar="ws://HOST:PORT",
              help="The monitor address of the `conduct stream --listen` server whose lines "
                   "the Live page shows.")
@click.option("--live-token-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File holding the listener's monitor token (or CONDUCT_LIVE_TOKEN).")
@click.option("--template", "template", default="", type=click.Path(dir_okay=False),
              help="Scoring template whose [ranking] rules the staff pages and the 红黑榜 "
                   "use (default: the shipped one).")
def serve(db: Path, host: str, port: int, recordings_root: Path | None, idle_timeout: int,
          session_hours: float, secure_cookies: bool, lexicons: tuple[str, ...],
          login_max_failures: int, login_failure_seconds: float, template: str,
          live_url: str, live_token_file: Path | None) -> None:
    """Serve the review web app for inspectors, supervisors and trainers.

    Create accounts first with `conduct users add NAME --role inspector`.
    """
    from analyzer.errors import require

    uvicorn = require("uvicorn", "web")
    from analyzer.web import create_app

    app = create_app(db, recordings_root, idle_timeout=idle_timeout * 60.0,
                     max_age=session_hours * 3600.0, secure_cookies=secure_cookies,
                     lexicon=tuple(lexicons), login_max_failures=login_max_failures,
                     login_failure_seconds=login_failure_seconds, scoring_template=template,
                     live_url=live_url, live_token=_live_token(live_token_file))
    for line in startup_notes(host, port, db, recordings_root, live_url):
        click.echo(line, err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def startup_notes(host: str, port: int, db: Path, recordings_root: Path | None,
                  live_url: str) -> list[str]:
    """What ``serve`` says as it starts: where, and which features are off and why."""
    from analyzer.i18n import gettext as _

    notes = [_("conduct review on http://%(host)s:%(port)s/ (database %(db)s)", host=host,
               port=port, db=db)]
    if recordings_root is None:
        notes.append(_("audio serving is off: no --recordings-root given, so pages show "
                       "transcripts without a player"))
    else:
        notes.append(_("audio is served from %(root)s", root=recordings_root))
    if not live_url:
        notes.append(_("the live feed is off: no --live ws://HOST:PORT given (the Live page "
                       "says so)"))
    else:
        notes.append(_("the live page follows %(url)s", url=live_url))
    return notes


def _live_token(path: Path | None) -> str:
    """The listener's monitor token: the file's first line, else ``CONDUCT_LIVE_TOKEN``."""
    import os

    if path is None:
        return os.environ.get("CONDUCT_LIVE_TOKEN", "").strip()
    try:
        return path.read_text(encoding="utf-8").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        raise click.BadParameter(f"cannot read a token from {path}: {exc}",
                                 param_hint="--live-token-file") from None


@click.group(cls=Group)
def users() -> None:
    """Manage the review web app's accounts (stored in the results database)."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Results database (created if missing).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@click.option("--staff-id", default="", metavar="ID",
              help="For --role staff: the staff id (as in manifests and transcripts) it is.")
def add(name: str, role: str, db: Path, password_stdin: bool, staff_id: str) -> None:
    """Create user NAME with ROLE, or reset an existing user's role and password."""
    from analyzer.store import Store
    from analyzer.web import auth

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    Store(db).close()  # a fresh file gets the results schema first
    with auth.connect(db) as con:
        auth.add_user(con, name, role, password, staff_id=staff_id, by=auth.local_actor())
    click.echo(f"user {name!r} ({role}) saved in {db}")


@users.command("list")
@click.option("--db", "db", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The results database.")
def list_(db: Path) -> None:
    """List accounts."""
    from analyzer.web import auth

    with auth.connect(db, create=False) as con:
        accounts = auth.list_users(con)
    for u in accounts:
        flag = " (disabled)" if u.disabled else ""
        role = f"{u.role} {u.staff_id}" if u.staff_id else u.role
        click.echo(f"{u.name}\t{role}\t{u.created_at}{flag}")
