"""A real IMAP server for tests: Dovecot (Debian's dovecot-imapd), started as its own process.

It runs from a generated configuration in a temporary folder: plain authentication against a
passwd-file, maildir storage in the folder, 127.0.0.1 on a free port, no TLS, its log in the
folder. Started by an ordinary user it runs entirely as that user; started by root (as in
containers) its processes drop to Debian's ``dovecot`` and ``dovenull`` users, as Dovecot
requires. Without Dovecot installed the tests that need it are skipped, except with CI=true,
where they fail: CI must install it (``apt-get install dovecot-imapd``).
"""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "help@imap.example"
PASSWORD = "imap-test-password"
# Dovecot starts in well under a second; this is patience for a loaded machine, not a cap on
# what is tested.
START_PATIENCE_SECONDS = 60.0


def _dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if os.access(path, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _users(folder: Path) -> tuple[str, str, str, str]:
    """(internal user, its group, login user, mail user) to run Dovecot as."""
    if os.geteuid() != 0:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return user, group, user, user
    # Dovecot refuses to run its login processes as root.
    shutil.chown(folder, "dovecot", "dovecot")
    folder.chmod(0o755)
    return "dovecot", "dovecot", "dovenull", "dovecot"


def _config(folder: Path, port: int) -> str:
    internal, group, login, mail_user = _users(folder)
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/state
instance_name = gigcx-test-{port}
log_path = {folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
mail_location = maildir:{folder}/mail/%u
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={group} home={folder}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    log_path: Path

    def url(self, folder: str) -> str:
        user = self.username.replace("@", "%40")
        return f"imap://{user}:{self.password}@{self.host}:{self.port}/{folder}"

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=30)
        client.login(self.username, self.password)
        return client

    def create_folder(self, folder: str) -> None:
        client = self._client()
        try:
            status, data = client.create(folder)
            assert status == "OK", data
        finally:
            client.logout()

    def recreate_folder(self, folder: str) -> None:
        """Delete the folder and make it again: a new UIDVALIDITY, UIDs from 1."""
        client = self._client()
        try:
            assert client.delete(folder)[0] == "OK"
            assert client.create(folder)[0] == "OK"
        finally:
            client.logout()

    def append(self, folder: str, raw: bytes) -> int:
        """Deliver a mail into the folder (IMAP APPEND); return its UID."""
        client = self._client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
            # "[APPENDUID <uidvalidity> <uid>] Append completed."
            answer = data[0].decode() if isinstance(data[0], bytes) else ""
            return int(answer.split("]")[0].split()[-1])
        finally:
            client.logout()

    def uid_validity(self, folder: str) -> int:
        client = self._client()
        try:
            client.select(folder, readonly=True)
            return int(client.response("UIDVALIDITY")[1][0])
        finally:
            client.logout()


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text() if log_path.exists() else ""
            raise RuntimeError(f"Dovecot stopped at start (exit {process.returncode}):\n{log}")
        try:
            client = imaplib.IMAP4("127.0.0.1", port, timeout=5)
        except OSError:
            time.sleep(0.05)
            continue
        client.logout()
        return
    raise RuntimeError(f"Dovecot did not listen on port {port}; see {log_path}")


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """A Dovecot IMAP server on a free local port with one account (USER / PASSWORD)."""
    binary = _dovecot()
    if binary is None:
        message = "Dovecot is not installed (apt-get install dovecot-imapd): IMAP tests skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message.replace("skipped", "cannot run with CI=true"))
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="gigcx-dovecot-"))
    for name in ("run", "state", "mail"):
        (folder / name).mkdir()
    port = _free_port()
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (folder / "dovecot.conf").write_text(_config(folder, port))
    for path in folder.rglob("*"):
        if os.geteuid() == 0:
            shutil.chown(path, "dovecot", "dovecot")
    log_path = folder / "dovecot.log"
    process = subprocess.Popen(
        [binary, "-F", "-c", str(folder / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(process, port, log_path)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
