"""A throw-away PostgreSQL server for tests, independent of pytest.

``postgres_server()`` runs ``initdb`` into a fresh temporary directory, starts ``postgres`` on a
free TCP port of 127.0.0.1 only, creates a database and yields its URL; on exit it stops the
server and deletes the directory. PostgreSQL refuses to run as root: under root the server runs
as the ``postgres`` system user (created by Debian's ``postgresql`` package).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

SERVER_USER = "postgres"
INSTALL_HINT = "install the PostgreSQL server: apt-get install postgresql"


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL server binaries or the user to run them are missing."""


def find_server_binaries() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: on PATH, or Debian's newest version.

    Returns:
        The directory.

    Raises:
        PostgresUnavailableError: not installed.
    """
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if debian:
        return Path(debian[-1]).parent
    raise PostgresUnavailableError(f"PostgreSQL server binaries (initdb, pg_ctl) not found; {INSTALL_HINT}")


@contextmanager
def postgres_server(database: str = "snac", user: str = "snac", password: str = "s3cret-pw") -> Iterator[str]:
    """Run a PostgreSQL server for the duration of the ``with`` block.

    Args:
        database: the database to create.
        user: the superuser of the new cluster.
        password: its password (scram-sha-256 authentication, as on a real server).

    Yields:
        ``postgresql://user:password@127.0.0.1:<port>/database``.
    """
    binaries = find_server_binaries()
    run_as = _run_as_prefix()
    base = Path(tempfile.mkdtemp(prefix="snac-pg-"))  # short: the socket path must stay < 108 chars
    data = base / "data"
    password_file = base / "password"
    password_file.write_text(password + "\n")
    if run_as:
        owner = pwd.getpwnam(SERVER_USER)
        for path in (base, password_file):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    try:
        _run([*run_as, str(binaries / "initdb"), "--pgdata", str(data), "--username", user,
              "--pwfile", str(password_file), "--auth", "scram-sha-256", "--encoding", "UTF8", "--no-sync"], base)
        server_options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
        _run([*run_as, str(binaries / "pg_ctl"), "--pgdata", str(data), "--log", str(base / "server.log"),
              "--options", server_options, "--wait", "--timeout", "60", "start"], base)
        try:
            _create_database(port, user, password, database)
            yield f"postgresql://{user}:{password}@127.0.0.1:{port}/{database}"
        finally:
            _run([*run_as, str(binaries / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "--wait",
                  "stop"], base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run_as_prefix() -> list[str]:
    """The command prefix that runs the server as a non-root user when this process is root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailableError(
            f"PostgreSQL refuses to run as root and there is no '{SERVER_USER}' user; {INSTALL_HINT} (creates it)"
        ) from None
    return ["runuser", "-u", SERVER_USER, "--"]


def _free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], base: Path) -> None:
    """Run a server command; on failure, raise with its output and the server log."""
    result = subprocess.run(command, cwd=base, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        log = base / "server.log"
        log_tail = log.read_text()[-3000:] if log.exists() else ""
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}\n{log_tail}"
        )


def _create_database(port: int, user: str, password: str, database: str) -> None:
    connection = psycopg2.connect(host="127.0.0.1", port=port, user=user, password=password, dbname="postgres")
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
    finally:
        connection.close()
