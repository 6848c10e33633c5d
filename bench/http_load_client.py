"""The Python side of bench/http_load.py: signing in as each persona, and the write path.

The read endpoints are loaded by wrk (bench/http_load_wrk.py). What wrk cannot do is a journey whose
next request needs the last answer (the application's number, its materials), so the write path
runs here: threads, each with its own keep-alive connection (http.client; gunicorn's sync workers
close it after each answer and http.client opens the next), timed per request. The same threads
load the one-INSERT reference, and the bare view so the client's own ceiling can be compared with
wrk's.

Every request says X-Forwarded-Proto: https, as the TLS proxy in front of gunicorn does in
production (settings.production: SECURE_PROXY_SSL_HEADER, secure cookies, the CSRF Referer check),
so the portal runs exactly as deployed without a certificate here. Cookies are kept by hand: they
are Secure, and a standard cookie jar would not send them back over http://.
"""
import http.client
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

PASSWORD = "Demo-Qinzhou-2019"  # licensing/demo.py: public, for the demo accounts only
BACKUP_CODES = [f"2019{n:04d}" for n in range(1, 11)]  # each good once per account; load_demo restores them
STAFF = {"demo-clerk", "demo-officer", "demo-regulator", "demo-inspector", "demo-admin"}
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # judged by its first bytes (portal/uploads.py)


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """One user agent: its cookies, an API token if it has one, one connection."""

    def __init__(self, port: int, *, token: str | None = None, timeout: float = 60.0):
        self.port, self.token, self.cookies = port, token, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def headers(self, extra=None) -> dict:
        headers = {**PROXY_HEADERS, "User-Agent": "http_load", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        return headers

    def request(self, method, path, body=None, headers=None) -> Answer:
        attempts = 2 if method == "GET" else 1  # a POST is never sent twice: it could file twice
        for attempt in range(1, attempts + 1):
            try:
                self.connection.request(method, path, body=body, headers=self.headers(headers))
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the server closed an idle connection: a GET once more, anew
                if attempt == attempts:
                    raise
        self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def _keep_cookies(self, set_cookies) -> None:
        for line in set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def get(self, path) -> Answer:
        return self.request("GET", path)

    def post_form(self, path, fields: dict) -> Answer:
        # a secure request's CSRF check wants a Referer of this origin (Django's CsrfViewMiddleware)
        return self.request("POST", path, urlencode(fields), {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin + path})

    def post_json(self, path, data) -> Answer:
        return self.request("POST", path, json.dumps(data), {"Content-Type": "application/json"})

    def post_file(self, path, content: bytes, filename="material.pdf") -> Answer:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def csrf_token(self, path) -> str:
        page = self.get(path)
        found = CSRF_FIELD.search(page.body)
        if found is None:
            raise SystemExit(f"http_load: no CSRF token on {path} ({page.status})")
        return found.group(1).decode()


# --- personas ------------------------------------------------------------------------------------

class Personas:
    """Signs the demo accounts in, each staff sign-in with the next unused backup code."""

    def __init__(self, port: int):
        self.port = port
        self.codes = {name: iter(BACKUP_CODES) for name in STAFF}

    def _code(self, username) -> str:
        try:
            return next(self.codes[username])
        except StopIteration:
            raise SystemExit(f"http_load: {username} has used all ten backup codes in this run") from None

    def session(self, username) -> Client:
        """A browser signed in with password (and, for staff, a backup code on the code page)."""
        client = Client(self.port)
        fields = {"username": username, "password": PASSWORD, "next": "/",
                  "csrfmiddlewaretoken": client.csrf_token("/accounts/login/")}
        answer = client.post_form("/accounts/login/", fields)
        _expect(answer, 302, f"sign-in of {username}")
        location = answer.headers["location"]
        if "/accounts/otp/" in location:
            fields = {"code": self._code(username), "next": "/", "csrfmiddlewaretoken": client.csrf_token(location)}
            answer = client.post_form(location, fields)
            _expect(answer, 302, f"backup code of {username}")
            if "/accounts/otp" in answer.headers["location"]:
                raise SystemExit(f"http_load: the backup code of {username} was refused")
        return client

    def token(self, username) -> str:
        credentials = {"username": username, "password": PASSWORD}
        if username in STAFF:
            credentials["otp"] = self._code(username)
        answer = Client(self.port).post_json("/api/v1/auth/token/", credentials)
        _expect(answer, 200, f"API token of {username}")
        return answer.json()["token"]


def _expect(answer: Answer, status: int, what: str) -> None:
    if answer.status != status:
        raise SystemExit(f"http_load: {what}: HTTP {answer.status}, expected {status}: {answer.body[:400]!r}")


# --- closed-loop load from threads -----------------------------------------------------------------

@dataclass
class Tally:
    """What the threads of one run did: latencies per step, failures, and the first few reasons."""

    latencies: dict = field(default_factory=dict)
    transitions: int = 0
    journeys: int = 0
    errors: int = 0
    reasons: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, step: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(step, []).append(seconds)

    def fail(self, reason: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.reasons) < 5:
                self.reasons.append(reason)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


def run_threads(body, threads: int, duration: float) -> tuple[Tally, float]:
    """Runs body(tally, deadline) in `threads` threads until the deadline; the tally and seconds taken."""
    tally = Tally()
    started = time.monotonic()
    deadline = started + duration
    workers = [threading.Thread(target=body, args=(tally, deadline), daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return tally, time.monotonic() - started


def timed(client: Client, tally: Tally, step: str, call, *args, expect=200) -> Answer | None:
    started = time.perf_counter()
    try:
        answer = call(*args)
    except (OSError, http.client.HTTPException) as failure:
        tally.fail(f"{step}: {failure!r}")
        client.connection.close()
        return None
    tally.record(step, time.perf_counter() - started)
    if answer.status != expect:
        tally.fail(f"{step}: HTTP {answer.status} {answer.body[:200]!r}")
        return None
    return answer


def repeat_request(port: int, method: str, path: str, step: str):
    """A thread body: the same request again and again (the references)."""
    def body(tally: Tally, deadline: float) -> None:
        client = Client(port)
        call = client.get if method == "GET" else (lambda p: client.request("POST", p, b"", {}))
        expect = 200 if method == "GET" else 201
        while time.monotonic() < deadline:
            timed(client, tally, step, call, path, expect=expect)
    return body


@dataclass
class JourneyTokens:
    applicant: str
    officer: str
    identifier: str  # the demo enterprise's 统一社会信用代码 (verified, so it may sign the 承诺书)
    item: str = "QZ-013"


COMMIT = {"kind": "already_meets", "confirmations": [True] * 7, "signatory": "演示人"}
TRANSITIONS = ("submit", "issue-notice", "commit", "decide")


def journey(port: int, tokens: JourneyTokens):
    """A thread body: the notify-and-commit journey through the API, as often as time allows:
    the applicant submits online and uploads what is owed at application, the officer issues the
    告知书, the applicant uploads the signed 承诺书 and commits, the officer decides (licence, 决定书,
    approval record, inspection scheduled; their PDFs and deliveries queued for Celery)."""
    def body(tally: Tally, deadline: float) -> None:
        applicant = Client(port, token=tokens.applicant)
        officer = Client(port, token=tokens.officer)
        while time.monotonic() < deadline:
            if _one_journey(applicant, officer, tokens, tally):
                with tally.lock:
                    tally.journeys += 1
    return body


def _one_journey(applicant: Client, officer: Client, tokens: JourneyTokens, tally: Tally) -> bool:
    submitted = timed(applicant, tally, "submit", applicant.post_json, "/api/v1/applications/", {
        "item": tokens.item, "applicant": tokens.identifier, "details": "http_load 压力测试"}, expect=201)
    if submitted is None:
        return False
    _count(tally)
    detail = submitted.json()
    base = f"/api/v1/applications/{detail['number']}"
    if not _upload(applicant, tally, base, detail, "at_application"):
        return False
    for client, step, payload, due in ((officer, "issue-notice", {}, None), (None, "upload", None, "at_commitment"),
                                       (applicant, "commit", COMMIT, None), (officer, "decide", {}, None)):
        if due is not None:
            if not _upload(applicant, tally, base, detail, due):
                return False
            continue
        if timed(client, tally, step, client.post_json, f"{base}/{step}/", payload) is None:
            return False
        _count(tally)
    return True


def _upload(applicant: Client, tally: Tally, base: str, detail: dict, due: str) -> bool:
    for material in detail["materials"]:
        # issue 16: a material obtained by sharing (the demo item's 营业执照) is never uploaded (409)
        if material["due"] == due and material.get("status") != "shared":
            path = f"{base}/materials/{material['id']}/"
            if timed(applicant, tally, "upload", applicant.post_file, path, MINIMAL_PDF) is None:
                return False
    return True


def _count(tally: Tally) -> None:
    with tally.lock:
        tally.transitions += 1
