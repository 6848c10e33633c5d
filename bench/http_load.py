"""The portal over HTTP under load, as ratios to a bare one-query view measured in the same run (issue 13).

Starts the portal under gunicorn (portal/gunicorn_conf.py, production settings) on a throw-away
PostgreSQL database `portal_bench_<pid>` with its own redis-server, seeds it with
`manage.py seed_volume --applications N`, signs the demo personas in, and then:

- each endpoint below, loaded by wrk with --connections connections for --duration seconds,
  interleaved with the bare view (bare, endpoint, bare, endpoint, …, bare), so that the drift of a
  noisy shared machine falls on both: req/s, p50, p95, errors, and the endpoint's throughput and p95
  as multiples of the bare view's (the mean of the bare runs just before and after it);
- the mixed run: --users connections (200) for --mixed-duration seconds (60), 80 % public reads and
  20 % signed-in reads, between two bare runs at the same concurrency: errors, timeouts, p95;
- the write path: the notify-and-commit journey through the API (submit, upload, issue-notice,
  upload, commit, decide) from --connections threads, as transitions per second, between two runs
  of a view that does one INSERT per request from the same threads.

    .venv/bin/python bench/http_load.py                          # 100,000 applications, everything
    .venv/bin/python bench/http_load.py --applications 10000 --duration 10
    .venv/bin/python bench/http_load.py --applications 1000000 --reuse-db portal_bench_1m  # seeded once, kept
    .venv/bin/python bench/http_load.py --applications 200 --duration 3 --only bare,items   # smoke run

Needs wrk (scripts/install-system-deps --bench), redis-server and a PostgreSQL where
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) may create databases.
"""
import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load_client as client_mod  # noqa: E402
import http_load_site as site_mod  # noqa: E402
import http_load_wrk as wrk  # noqa: E402

SEARCH = quote("旅馆")


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    goal: float            # the endpoint's throughput and p95 within this multiple of the bare view's
    path: str
    auth: str | None = None  # "session:<user>" or "token:<user>"; None: anonymous
    scales: bool = False     # also: no slower at 1,000,000 than at 10,000 by more than 1.5x (--compare)


def endpoints(targets: dict) -> list[Endpoint]:
    return [
        Endpoint("items", "/items/", 2, "/items/"),
        Endpoint("items-search", "/items/?q=旅馆", 2, f"/items/?q={SEARCH}"),
        Endpoint("api-items", "/api/v1/items/", 2, "/api/v1/items/"),
        Endpoint("guide", "/items/QZ-013/", 1.5, "/items/QZ-013/"),
        Endpoint("api-item", "/api/v1/items/QZ-013/", 1.5, "/api/v1/items/QZ-013/"),
        Endpoint("progress", "POST /progress/ (number + code)", 1.5, "/progress/"),
        Endpoint("calendar", "/api/v1/calendar/add-working-days/", 1.5,
                 "/api/v1/calendar/add-working-days/?start=2019-09-30&days=3"),
        # A reference, not a page: the bare view with the officer's session, so that the table shows what
        # signing in alone costs (the session, the user, the second factor) before any page's own work.
        Endpoint("bare-signed-in", "bare view, officer's session", 3, "/bench/bare/", "session:demo-officer"),
        # References too: an empty page in the portal's layout (bench/bare.py), what every HTML page costs
        # before its own content, for a visitor (the public pages' goal) and for the officer (the desks').
        Endpoint("layout", "empty page in the layout, anonymous", 1.5, "/bench/layout/"),
        Endpoint("layout-signed-in", "empty page in the layout, officer", 3, "/bench/layout/", "session:demo-officer"),
        Endpoint("api-apps-officer", "/api/v1/applications/ officer", 3, "/api/v1/applications/",
                 "token:demo-officer", True),
        Endpoint("api-apps-clerk", "/api/v1/applications/ clerk", 3, "/api/v1/applications/",
                 "token:demo-clerk", True),
        Endpoint("my-apps", "/my/applications/ applicant", 3, "/my/applications/", "session:demo-applicant", True),
        Endpoint("officer-desk", "/desk/officer/ officer", 3, "/desk/officer/", "session:demo-officer", True),
        Endpoint("regulator-desk", "/desk/regulator/ regulator", 3, "/desk/regulator/",
                 "session:demo-regulator", True),
        Endpoint("window-applicant", "/desk/window/applicants/<pk>/ clerk", 3,
                 f"/desk/window/applicants/{targets['applicant_pk']}/", "session:demo-clerk", True),
    ]


PUBLIC_MIX = ("items", "items-search", "api-items", "guide", "api-item", "progress", "calendar")
REFERENCES = ("bare-signed-in", "layout", "layout-signed-in")  # measured like the pages, left out of the mixed run
RUN_NAMES = ("bare", *(e.name for e in endpoints({"applicant_pk": 0})), "mixed", "write")


# --- requests as each persona makes them ------------------------------------------------------------

class Auth:
    """The personas' sessions and tokens, made once each and reused; the progress form's CSRF pair."""

    def __init__(self, port: int):
        self.port = port
        self.personas = client_mod.Personas(port)
        self.sessions, self.tokens = {}, {}
        self._anonymous, self._token = None, ""

    def headers(self, auth: str | None) -> dict:
        headers = dict(client_mod.PROXY_HEADERS)
        if auth is None:
            return headers
        kind, user = auth.split(":", 1)
        if kind == "token":
            headers["Authorization"] = f"Token {self.token(user)}"
        else:
            session = self.session(user)
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        return headers

    def session(self, user: str) -> client_mod.Client:
        if user not in self.sessions:
            self.sessions[user] = self.personas.session(user)
        return self.sessions[user]

    def token(self, user: str) -> str:
        if user not in self.tokens:
            self.tokens[user] = self.personas.token(user)
        return self.tokens[user]

    def forget(self, auth: str | None) -> None:
        """A session that no longer answers (30 minutes idle): sign in again, with the next code."""
        if auth:
            kind, user = auth.split(":", 1)
            (self.tokens if kind == "token" else self.sessions).pop(user, None)

    def progress_form(self, number: str, code: str) -> tuple[dict, bytes]:
        """A visitor's CSRF cookie and the form's token, as a browser holds them after opening the page."""
        if self._anonymous is None:
            self._anonymous = client_mod.Client(self.port)
            self._token = self._anonymous.csrf_token("/progress/")
        cookie = "; ".join(f"{k}={v}" for k, v in self._anonymous.cookies.items())
        headers = {**client_mod.PROXY_HEADERS, "Cookie": cookie, "Referer": f"https://127.0.0.1:{self.port}/progress/",
                   "Content-Type": "application/x-www-form-urlencoded"}
        return headers, urlencode({"csrfmiddlewaretoken": self._token, "number": number, "code": code}).encode()


def request_for(endpoint: Endpoint, auth: Auth, targets: dict, weight=1.0) -> wrk.Req:
    if endpoint.name == "progress":
        headers, body = auth.progress_form(targets["progress_number"], targets["progress_code"])
        return wrk.Req("POST", endpoint.path, headers, body, weight)
    return wrk.Req("GET", endpoint.path, auth.headers(endpoint.auth), None, weight)


BARE = wrk.Req("GET", "/bench/bare/", dict(client_mod.PROXY_HEADERS))


def check(site, endpoint: Endpoint, auth: Auth, targets: dict) -> wrk.Req:
    """The request, once answered 200 by the portal; a lost session is signed in again once."""
    for _ in (1, 2):
        req = request_for(endpoint, auth, targets)
        answer = client_mod.Client(site.port).request(req.method, req.path, req.body, req.headers)
        if answer.status == 200:
            return req
        auth.forget(endpoint.auth)
    raise SystemExit(f"http_load: {endpoint.label} answers HTTP {answer.status}: {answer.body[:300]!r}")


# --- what the database holds -------------------------------------------------------------------------

def find_targets(db_name: str) -> dict:
    """A decided application from the middle of the table for the progress lookup, and the applicant
    with the most applications for the window's page (the demo's when nothing is seeded)."""
    row = site_mod.sql(db_name, """
        SELECT number, query_code FROM licensing_application
        WHERE id >= (SELECT (min(id) + max(id)) / 2 FROM licensing_application)
        ORDER BY (status = 'approved') DESC, id LIMIT 1""")
    busiest = site_mod.sql(db_name, """
        SELECT applicant_id, count(*) FROM licensing_application GROUP BY applicant_id
        ORDER BY count(*) DESC LIMIT 1""")
    demo = site_mod.sql(db_name, "SELECT id, identifier FROM licensing_applicant "
                                 "WHERE identifier LIKE '91450700MA5D3M000_'")[0]
    total = site_mod.sql(db_name, "SELECT count(*) FROM licensing_application")[0][0]
    targets = {"applications": total, "demo_applicant_pk": demo[0], "demo_identifier": demo[1],
               "applicant_pk": busiest[0][0] if busiest else demo[0],
               "applicant_applications": busiest[0][1] if busiest else 0}
    if row:
        targets.update(progress_number=row[0][0], progress_code=row[0][1])
    return targets


def ensure_progress_target(site, auth: Auth, targets: dict) -> None:
    """With nothing seeded, one application filed by the demo applicant is the one looked up."""
    if "progress_number" in targets:
        return
    applicant = client_mod.Client(site.port, token=auth.token("demo-applicant"))
    answer = applicant.post_json("/api/v1/applications/", {"item": "QZ-013", "applicant": targets["demo_identifier"]})
    if answer.status != 201:
        raise SystemExit(f"http_load: could not file an application to look up: {answer.status} {answer.body[:300]!r}")
    targets.update(progress_number=answer.json()["number"], progress_code=answer.json()["query_code"])


def visible_counts(site, auth: Auth, names: set) -> dict:
    """How many rows each signed-in list had to deal with: the API's count as each persona."""
    counts = {}
    for user, name in (("demo-officer", "api-apps-officer"), ("demo-clerk", "api-apps-clerk"),
                       ("demo-applicant", "my-apps")):
        if name in names:
            answer = client_mod.Client(site.port, token=auth.token(user)).get("/api/v1/applications/")
            counts[user] = answer.json().get("count") if answer.status == 200 else f"HTTP {answer.status}"
    if "regulator-desk" in names:
        answer = client_mod.Client(site.port, token=auth.token("demo-regulator")).get("/api/v1/inspections/")
        counts["demo-regulator inspections"] = answer.json().get("count") if answer.status == 200 else answer.status
    return counts


# --- the runs ------------------------------------------------------------------------------------------

class Runner:
    def __init__(self, site, args):
        self.site, self.args = site, args

    def load(self, requests, *, duration=None, connections=None) -> wrk.Result:
        return wrk.run(self.site.base_url, requests, duration=duration or self.args.duration,
                       connections=connections or self.args.connections, timeout=self.args.timeout,
                       threads=self.args.wrk_threads)

    def warm(self, requests, connections=None) -> None:
        if self.args.warmup > 0:
            self.load(requests, duration=self.args.warmup, connections=connections)

    def interleaved(self, items: list[tuple[Endpoint, wrk.Req]]) -> tuple[list, dict]:
        """bare, e1, bare, e2, …, bare, repeated --rounds times: each endpoint run between two bare runs.
        Returns the bare runs and, per endpoint, its (run, bare before, bare after) of each round."""
        self.warm([BARE])
        bares, rounds = [self.load([BARE])], {endpoint.name: [] for endpoint, _ in items}
        for number in range(self.args.rounds):
            for endpoint, req in items:
                if number == 0:
                    self.warm([req])
                result = self.load([req])
                bares.append(self.load([BARE]))
                rounds[endpoint.name].append((result, bares[-2], bares[-1]))
                site_mod.log(f"{endpoint.name}: {result.rps:.1f} req/s, p95 {result.p95_ms:.1f} ms "
                             f"(bare {bares[-2].rps:.1f} and {bares[-1].rps:.1f} req/s)")
        return bares, rounds

    def mixed(self, public: list[wrk.Req], signed_in: list[wrk.Req]) -> dict:
        users, duration = self.args.users, self.args.mixed_duration
        mix = [wrk.Req(r.method, r.path, r.headers, r.body, 80 / len(public)) for r in public]
        mix += [wrk.Req(r.method, r.path, r.headers, r.body, 20 / len(signed_in)) for r in signed_in]
        self.warm([BARE], users)
        before = self.load([BARE], duration=duration / 2, connections=users)
        result = self.load(mix, duration=duration, connections=users)
        after = self.load([BARE], duration=duration / 2, connections=users)
        return {"result": result, "bare": [before, after]}

    def write_path(self, tokens: client_mod.JourneyTokens) -> dict:
        threads, port = self.args.connections, self.site.port
        insert = client_mod.repeat_request(port, "POST", "/bench/insert/", "insert")
        client_mod.run_threads(insert, threads, self.args.warmup)
        before = client_mod.run_threads(insert, threads, self.args.duration)
        journey = client_mod.run_threads(client_mod.journey(port, tokens), threads, self.args.write_duration)
        after = client_mod.run_threads(insert, threads, self.args.duration)
        return {"insert": [before, after], "journey": journey}

    def client_ceiling(self) -> tuple[float, float, float]:
        """The Python threads' rate on the bare view beside wrk's, same connections, back to back, and
        wrk's on the INSERT view: the threads are not what limits the write path's reference."""
        bare = client_mod.repeat_request(self.site.port, "GET", "/bench/bare/", "bare")
        tally, seconds = client_mod.run_threads(bare, self.args.connections, self.args.duration)
        insert = wrk.Req("POST", "/bench/insert/", dict(client_mod.PROXY_HEADERS), b"")
        return tally.requests / seconds, self.load([BARE]).rps, self.load([insert]).rps


# --- the report ----------------------------------------------------------------------------------------

def pct(values, p) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def ratios(result: wrk.Result, bares) -> tuple[float, float]:
    bare_rps = statistics.mean(b.rps for b in bares)
    bare_p95 = statistics.mean(b.p95_ms for b in bares)
    return (bare_rps / result.rps if result.rps else float("inf")), result.p95_ms / bare_p95


def verdict(endpoint_goal: float, thr: float, p95: float, results) -> str:
    if any(result.errors for result in results):
        return "ERRORS"
    return "ok" if thr <= endpoint_goal and p95 <= endpoint_goal else "MISS"


ROW = "{:<40} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7} {:>5} {:>7}"


def print_reads(bares, items, rounds: dict, saved: dict) -> None:
    """Per endpoint the medians over the rounds: its req/s and latencies, and its multiples of the bare
    runs around it. "bare ±" is how far those bare runs differed (the machine's drift meanwhile)."""
    print(ROW.format("endpoint (%d connections)" % bares[0].connections, "req/s", "p50 ms", "p95 ms", "errors",
                     "thr x", "p95 x", "bare ±", "goal", "verdict"))
    bare_rps = [b.rps for b in bares]
    print(ROW.format("bare view (SELECT 1, JSON), median", f"{statistics.median(bare_rps):.1f}",
                     f"{statistics.median(b.p50_ms for b in bares):.1f}",
                     f"{statistics.median(b.p95_ms for b in bares):.1f}", _errors_of(bares), "1", "1",
                     f"{_spread(bare_rps):.0f}%", "", ""))
    for endpoint, _ in items:
        runs = rounds[endpoint.name]
        multiples = [ratios(result, [before, after]) for result, before, after in runs]
        thr = statistics.median(m[0] for m in multiples)
        p95 = statistics.median(m[1] for m in multiples)
        results = [result for result, _, _ in runs]
        rps = statistics.median(r.rps for r in results)
        drift = max(_spread([before.rps, after.rps]) for _, before, after in runs)
        saved[endpoint.name] = {"rps": rps, "p95_ms": statistics.median(r.p95_ms for r in results),
                                "thr_x": thr, "p95_x": p95, "errors": sum(r.errors for r in results),
                                "bare_drift_pct": drift}
        print(ROW.format(endpoint.label[:40], f"{rps:.1f}", f"{statistics.median(r.p50_ms for r in results):.1f}",
                         f"{statistics.median(r.p95_ms for r in results):.1f}", _errors_of(results),
                         f"{thr:.2f}", f"{p95:.2f}", f"{drift:.0f}%", f"{endpoint.goal:g}x",
                         verdict(endpoint.goal, thr, p95, results)))
    print(f"bare view over the run: {min(bare_rps):.1f} to {max(bare_rps):.1f} req/s in {len(bares)} runs")


def _spread(values) -> float:
    """(largest - smallest) / mean, in per cent."""
    mean = statistics.mean(values)
    return 100 * (max(values) - min(values)) / mean if mean else 0.0


ERROR_TAGS = (("redirects", "r"), ("client_errors", "c"), ("server_errors", "s"), ("socket_errors", "k"),
              ("timeouts", "t"))


def _errors_of(results) -> str:
    """The failed answers of some runs: 3r+2t is three redirects and two timeouts."""
    counts = [(sum(getattr(result, name) for result in results), tag) for name, tag in ERROR_TAGS]
    return "+".join(f"{count}{tag}" for count, tag in counts if count) or "0"


def print_mixed(mixed: dict, users: int, saved: dict) -> None:
    result, bares = mixed["result"], mixed["bare"]
    _, p95 = ratios(result, bares)
    bare_p95 = statistics.mean(b.p95_ms for b in bares)
    bare_rps = statistics.mean(b.rps for b in bares)
    ok = "ok" if not result.errors and p95 <= 5 else ("ERRORS" if result.errors else "MISS")
    saved["mixed"] = {"rps": result.rps, "p95_ms": result.p95_ms, "p95_x": p95, "errors": result.errors,
                      "timeouts": result.timeouts, "bare_rps": bare_rps, "bare_p95_ms": bare_p95}
    print(f"\nmixed run, {users} connections, {result.seconds:.0f} s, 80 % public / 20 % signed-in reads:")
    print(f"  {result.requests} requests, {result.rps:.1f} req/s; p50 {result.p50_ms:.0f} ms, p95 "
          f"{result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, max {result.max_ms:.0f} ms")
    print(f"  errors: {result.redirects} 3xx, {result.client_errors} 4xx, {result.server_errors} 5xx, "
          f"{result.socket_errors} socket, {result.timeouts} timeouts")
    print(f"  bare view at {users} connections: {bare_rps:.1f} req/s, p95 {bare_p95:.0f} ms "
          f"-> p95 x {p95:.2f} (goal <= 5, 0 errors): {ok}")


def print_write(write: dict, ceiling, saved: dict) -> None:
    tally, seconds = write["journey"]
    inserts = [t.requests / s for t, s in write["insert"]]
    insert_rps = statistics.mean(inserts)
    insert_p95 = statistics.mean(pct(t.latencies.get("insert", []), 95) for t, _ in write["insert"]) * 1000
    transitions = tally.transitions / seconds
    requests = tally.requests / seconds
    ratio = insert_rps / transitions if transitions else float("inf")
    saved["write"] = {"transitions_per_s": transitions, "requests_per_s": requests, "insert_rps": insert_rps,
                      "x": ratio, "errors": tally.errors}
    print(f"\nwrite path, {seconds:.0f} s of journeys (submit, uploads, issue-notice, "
          "commit, decide; API tokens):")
    print(f"  {tally.journeys} journeys, {tally.transitions} transitions = {transitions:.1f} transitions/s "
          f"({requests:.1f} requests/s with the uploads); errors {tally.errors}")
    for step in ("submit", "upload", "issue-notice", "commit", "decide"):
        values = tally.latencies.get(step, [])
        if values:
            print(f"    {step:<13} n={len(values):<5} p50 {pct(values, 50) * 1000:6.0f} ms   p95 "
                  f"{pct(values, 95) * 1000:6.0f} ms")
    for reason in tally.reasons:
        print(f"    failure: {reason}")
    verdict_ = "ok" if ratio <= 5 and not tally.errors else ("ERRORS" if tally.errors else "MISS")
    print(f"  one-INSERT view, same threads: {insert_rps:.1f} req/s (runs {', '.join(f'{r:.0f}' for r in inserts)}), "
          f"p95 {insert_p95:.1f} ms")
    print(f"  -> INSERT req/s / transitions/s = {ratio:.2f} (goal <= 5): {verdict_};"
          f" per request {insert_rps / requests if requests else float('inf'):.2f}")
    if ceiling:
        print(f"  load generator check: on the bare view the Python threads reach {ceiling[0]:.1f} req/s, "
              f"wrk {ceiling[1]:.1f} req/s; wrk on the INSERT view {ceiling[2]:.1f} req/s")


def compare(saved: dict, other_path: str) -> None:
    """The 1,000,000 vs 10,000 criterion: each signed-in list's multiples here against another run's."""
    other = json.loads(Path(other_path).read_text())
    print(f"\nagainst {other_path} ({other['applications']:,} applications; here {saved['applications']:,}):")
    print(f"  {'endpoint':<20} {'thr x there':>11} {'thr x here':>10} {'slowdown':>9}  goal <= 1.5")
    for name, here in saved["endpoints"].items():
        there = other["endpoints"].get(name)
        if there and "thr_x" in here and "thr_x" in there:
            slowdown = here["thr_x"] / there["thr_x"]
            print(f"  {name:<20} {there['thr_x']:>11.2f} {here['thr_x']:>10.2f} {slowdown:>9.2f}  "
                  f"{'ok' if slowdown <= 1.5 else 'MISS'}")


# --- main --------------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=100_000, help="applications seeded (default 100000)")
    parser.add_argument("--seed", type=int, default=13, help="seed_volume's random seed")
    parser.add_argument("--duration", type=float, default=10, help="seconds per run of each endpoint (10)")
    parser.add_argument("--connections", type=int, default=16, help="connections per endpoint run (16)")
    parser.add_argument("--users", type=int, default=200, help="connections of the mixed run (200)")
    parser.add_argument("--mixed-duration", type=float, default=60, help="seconds of the mixed run (60)")
    parser.add_argument("--write-duration", type=float, default=30, help="seconds of journeys (30)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="times each endpoint is run, each between bare runs; medians printed (1)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up before each run (2)")
    parser.add_argument("--timeout", type=float, default=30, help="wrk's timeout per request, seconds (30)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: portal/gunicorn_conf.py's)")
    parser.add_argument("--max-requests", type=int,
                        help="gunicorn's worker recycling (GUNICORN_MAX_REQUESTS); default 0, off: see bench/README.md")
    parser.add_argument("--wrk-threads", type=int, help="wrk threads (default: the number of cores)")
    parser.add_argument("--only", help=f"comma-separated runs, of: {', '.join(RUN_NAMES)}")
    parser.add_argument("--keep-db", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse-db", metavar="NAME", help="use this database, seeding it only if it is new; kept")
    parser.add_argument("--save", metavar="FILE", help="write the figures as JSON (for --compare)")
    parser.add_argument("--compare", metavar="FILE", help="a --save file of another size to compare with")
    args = parser.parse_args(argv)
    args.only = set(RUN_NAMES) if not args.only else {n.strip() for n in args.only.split(",") if n.strip()}
    unknown = args.only - set(RUN_NAMES)
    if unknown:
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}; choose from {', '.join(RUN_NAMES)}")
    if args.connections < 1 or args.users < 1 or args.duration <= 0 or args.rounds < 1:
        parser.error("--connections, --users, --duration and --rounds must be positive")
    return args


def commit_id() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=site_mod.BASE_DIR, capture_output=True, text=True).stdout.strip()
    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def open_database(args) -> tuple[str, bool]:
    """The database's name and whether it is new (so to be seeded)."""
    name = args.reuse_db or f"portal_bench_{os.getpid()}"
    if args.reuse_db and site_mod.database_exists(name):
        return name, False
    site_mod.create_database(name)
    return name, True


def main(argv=None) -> None:
    args = parse_args(argv)
    if not wrk.available():
        raise SystemExit("http_load: wrk is not installed (scripts/install-system-deps --bench, "
                         "or apt-get install wrk)")
    db_name, fresh = open_database(args)
    site = site_mod.Site(db_name, workers=args.workers, max_requests=args.max_requests)
    try:
        site.start_redis()
        site_mod.prepare(site, applications=args.applications, seed=args.seed, fresh=fresh)
        site.start_gunicorn()
        run(site, args)
    except (SystemExit, Exception):
        site_mod.log(f"the end of gunicorn's log:\n{site.log_tail()}")
        raise
    finally:
        site.stop()
        if args.keep_db or args.reuse_db:
            site_mod.log(f"database kept: {db_name} (drop it with: dropdb -h 127.0.0.1 -U postgres {db_name})")
        else:
            site_mod.drop_database(db_name)


def run(site, args) -> None:
    targets = find_targets(site.db_name)
    auth = Auth(site.port)
    selected = [e for e in endpoints(targets) if e.name in args.only]
    if any(e.name == "progress" for e in selected) or "mixed" in args.only:
        ensure_progress_target(site, auth, targets)
    runner = Runner(site, args)
    saved = {"applications": targets["applications"], "date": dt.date.today().isoformat(), "commit": commit_id(),
             "endpoints": {}}
    header(site, args, targets, visible_counts(site, auth, {e.name for e in selected}))
    items = [(e, check(site, e, auth, targets)) for e in selected]
    bares, rounds = runner.interleaved(items)
    print()
    print_reads(bares, items, rounds, saved["endpoints"])
    if "mixed" in args.only:
        all_endpoints = endpoints(targets)
        public = [check(site, e, auth, targets) for e in all_endpoints if e.name in PUBLIC_MIX]
        signed = [check(site, e, auth, targets) for e in all_endpoints
                  if e.name not in PUBLIC_MIX and e.name not in REFERENCES]
        print_mixed(runner.mixed(public, signed), args.users, saved)
    if "write" in args.only:
        tokens = client_mod.JourneyTokens(auth.token("demo-applicant"), auth.token("demo-officer"),
                                          targets["demo_identifier"])
        write = runner.write_path(tokens)
        print_write(write, runner.client_ceiling(), saved)
    if args.save:
        Path(args.save).write_text(json.dumps(saved, ensure_ascii=False, indent=1))
    if args.compare:
        compare(saved, args.compare)


def header(site, args, targets: dict, counts: dict) -> None:
    workers = site.gunicorn_workers()
    conf = "portal/gunicorn_conf.py" if site_mod.GUNICORN_CONF.exists() else "no gunicorn_conf.py: 4 sync workers"
    print(f"http_load {dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit_id()}, {os.cpu_count()} cores")
    print(f"gunicorn: {workers} ({conf}), max_requests {site.max_requests or 'off'}; "
          f"wrk threads {args.wrk_threads or os.cpu_count()}; {args.rounds} x {args.duration:g} s per endpoint, "
          f"{args.warmup:g} s warm-up, wrk timeout {args.timeout:g} s")
    print(f"database {site.db_name}: {targets['applications']:,} applications; window page: applicant "
          f"{targets['applicant_pk']} with {targets['applicant_applications']:,} applications")
    if counts:
        print("rows each list sees (the API's count): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print("thr x = bare req/s / endpoint req/s; p95 x = endpoint p95 / bare p95 (bare: the runs just before "
          "and after); errors: r 3xx, c 4xx, s 5xx, k socket, t timeout")


if __name__ == "__main__":
    main()
