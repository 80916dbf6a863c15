"""A throwaway PostgreSQL server for the tests: Debian's binaries, its own folder, loopback only.

Started once per session (initdb, then pg_ctl), with trust authentication on 127.0.0.1 and a
free port, its unix socket in its own folder; stopped and removed at the end. Each test gets a
fresh database, copied from a template the migrations were applied to once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMPLATE = "bot_template"
SUPERUSER = "postgres"


def binaries() -> Path | None:
    """The folder with initdb and pg_ctl: the newest Debian version's, else on the PATH."""
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda folder: (
            int(Path(folder).parent.name) if Path(folder).parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    for folder in folders:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(pg_ctl).resolve().parent
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    def __init__(self, bin_dir: Path, folder: Path, port: int, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.folder = folder
        self.port = port
        self._user = user  # the account the server runs as when the tests run as root
        self._numbers = itertools.count(1)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, name: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def _run(self, *arguments: str) -> None:
        subprocess.run(
            [str(self.bin_dir / arguments[0]), *arguments[1:]],
            check=True,
            capture_output=True,
            user=self._user,
            timeout=120,
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            # A throwaway server: durability buys nothing here, and costs seconds.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(self.url("postgres"))
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def make_template(self) -> None:
        """The template every test's database copies: migrated once."""
        from bot.storage.postgres import PostgresDatabase

        async def migrated() -> None:
            await self._admin(f"CREATE DATABASE {TEMPLATE}")
            database = PostgresDatabase(self.url(TEMPLATE))
            await database.open()
            await database.close()

        # In a thread of its own: the session fixture may be set up inside a test's loop.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, migrated()).result()

    async def new_database(self, migrated: bool = True) -> str:
        """A fresh database's URL: the migrated template's copy, or empty."""
        name = f"test_{next(self._numbers)}"
        template = TEMPLATE if migrated else "template0"
        await self._admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)


@contextlib.contextmanager
def running_server(bin_dir: Path) -> Iterator[PostgresServer]:
    user = None
    folder = Path(tempfile.mkdtemp(prefix="bot-postgres-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: as its own account, then
        user = SUPERUSER
        account = pwd.getpwnam(user)
        os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(0o700)
    server = PostgresServer(bin_dir, folder, free_port(), user)
    try:
        server.start()
        server.make_template()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
