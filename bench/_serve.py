"""Serve the bench app as ``uvicorn --workers N`` does, but keep TCP_NODELAY on connections.

uvicorn's multi-process path binds the listening socket with ``proto`` 0; accepted sockets
inherit it, asyncio then skips TCP_NODELAY, and every keep-alive request after the first waits
about 40 ms for the client's delayed ACK (Kludex/uvicorn#3149). This binds the socket with
IPPROTO_TCP and serves it from several processes as ``gigcx serve`` does (``gigcx.server``).

    PYTHONPATH=bench python bench/_serve.py --port 8000 --workers 2
"""

import argparse

from gigcx.server import serve

APP = "_intake_app:create_bench_app"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--app", default=APP, help="app factory, module:function")
    args = parser.parse_args()
    serve(
        args.app, host=args.host, port=args.port, processes=args.workers, log_level=args.log_level
    )


if __name__ == "__main__":
    main()
