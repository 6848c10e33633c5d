"""A regulator's system, for real: an HTTP server on 127.0.0.1 that receives approval records with
the very code the README gives receivers (issue 9).

The README's Python block is read from README.md and run, so a test of what the receiver accepts
or refuses is a test of what the README tells receivers to write.
"""
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Receiving approval records"


def readme_receiver(secret: str) -> dict:
    """The README's receiver code, run with `secret`: a namespace holding `receive` and `seen`."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - our own README, on purpose
    namespace["SECRET"] = secret
    return namespace


class Receiver:
    """The server's state. `answers`: what to answer the next requests, each a status, or a
    (None, seconds) pair: the README's receiver takes the record and answers that much later;
    once they run out, the README's receiver answers. `requests`: every (body, headers) that arrived."""

    def __init__(self):
        self.readme = None
        self.answers: list = []
        self.requests: list[tuple[bytes, dict]] = []
        self.lock = threading.Lock()
        self.url = ""

    def use_secret(self, secret: str) -> None:
        self.readme = readme_receiver(secret)

    @property
    def records(self) -> dict:
        """What the receiver kept: webhook-id → the record (the README's `seen`)."""
        return self.readme["seen"]

    @property
    def ids(self) -> list[str]:
        return [headers["webhook-id"] for _, headers in self.requests]

    def answer(self, body: bytes, headers) -> tuple[int, bytes]:
        with self.lock:
            self.requests.append((body, dict(headers.items())))
            scripted = self.answers.pop(0) if self.answers else None
        status, wait = scripted if isinstance(scripted, tuple) else (scripted, 0)
        if status is None:
            status = self.readme["receive"](body, headers)
        time.sleep(wait)  # (None, seconds): a slow receiver that kept the record, and answers too late
        return status, f"状态 {status}：接收方的说明".encode()


def start(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status, answer = receiver.answer(body, self.headers)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("location", receiver.url + "elsewhere/")
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/approval-records/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serving():
    """A pytest fixture body: a fresh stand-in receiver, served for the test, shut down after it."""
    receiver = Receiver()
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()
