"""gigcx mail: take mail over LMTP from the local mail server."""

import signal
import threading
from typing import Annotated

import typer

from gigcx import tasks
from gigcx.channels.email import lmtp
from gigcx.cli.output import console, fail, require_schema
from gigcx.config import get_settings

assert tasks  # the jobs a mail queues (triage, routing) need their handlers known

app = typer.Typer(help="Incoming mail.", no_args_is_help=True)


@app.command("listen")
def listen(
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port on 127.0.0.1 (default GIGCX_LMTP_PORT)."),
    ] = None,
) -> None:
    """Take mail over LMTP on 127.0.0.1 until Ctrl-C or SIGTERM.

    Point the mail server's LMTP delivery at it (Postfix: mailbox_transport =
    lmtp:inet:127.0.0.1:PORT); each mail goes to the mailbox its recipient names.
    """
    chosen = port or get_settings().lmtp_port
    if chosen is None:
        raise fail("give a port: gigcx mail listen --port 2424 (or set GIGCX_LMTP_PORT)")
    require_schema()
    out = console()
    listener = lmtp.listener(chosen)
    try:
        listener.start()
    except (OSError, RuntimeError) as error:
        raise fail(f"cannot listen on {lmtp.HOST}:{chosen}: {error}") from None
    out.print(f"taking mail over LMTP on {lmtp.HOST}:{chosen}; press Ctrl-C to stop")
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        while not stop.wait(0.5):
            pass
    finally:
        listener.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    out.print("LMTP listener stopped")
