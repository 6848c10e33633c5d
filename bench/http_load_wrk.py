"""wrk, the load generator of bench/http_load.py's read runs (Debian's `wrk`, C, one event loop per
thread: light beside gunicorn on a two-core machine).

Each run gets a Lua script written here: the requests (method, path, headers, body) with weights,
picked at random per request; every answer counted by status class (wrk itself counts only
>= 400 as errors, and a 302 to the sign-in page must count too); and one line of JSON at the end,
`BENCHJSON {...}`, with the totals and the latency percentiles (microseconds) that wrk measured.
"""
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field


@dataclass
class Req:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    weight: float = 1.0


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    ok: int            # 2xx
    redirects: int     # 3xx: for these endpoints, a lost session or a refusal
    client_errors: int
    server_errors: int
    socket_errors: int  # connect, read, write
    timeouts: int      # answers slower than --timeout, and waits past it (wrk's count)
    connections: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.redirects + self.client_errors + self.server_errors + self.socket_errors + self.timeouts


def lua_string(value) -> str:
    """A Lua string literal: printable ASCII as is, every other byte as a decimal escape."""
    data = value.encode() if isinstance(value, str) else value
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in data) + '"'


def _lua_spec(req: Req) -> str:
    headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in req.headers.items())
    body = lua_string(req.body) if req.body is not None else "nil"
    return (f"{{method = {lua_string(req.method)}, path = {lua_string(req.path)}, headers = {{{headers}}}, "
            f"body = {body}, weight = {float(req.weight)!r}}}")


LUA = r"""
local specs = {%(specs)s}
local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  s2, s3, s4, s5 = 0, 0, 0, 0
  formatted, cumulative = {}, {}
  local total = 0
  for i, spec in ipairs(specs) do
    formatted[i] = wrk.format(spec.method, spec.path, spec.headers, spec.body)
    total = total + spec.weight
    cumulative[i] = total
  end
  for i = 1, #cumulative do cumulative[i] = cumulative[i] / total end
end

function request()
  local r = math.random()
  for i = 1, #cumulative do
    if r <= cumulative[i] then return formatted[i] end
  end
  return formatted[#formatted]
end

function response(status, headers, body)
  if status < 300 then s2 = s2 + 1
  elseif status < 400 then s3 = s3 + 1
  elseif status < 500 then s4 = s4 + 1
  else s5 = s5 + 1 end
end

function done(summary, latency, requests)
  local c = {0, 0, 0, 0}
  for _, t in ipairs(threads) do
    c[1] = c[1] + t:get("s2"); c[2] = c[2] + t:get("s3")
    c[3] = c[3] + t:get("s4"); c[4] = c[4] + t:get("s5")
  end
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"max": %%d, "s2": %%d, "s3": %%d, "s4": %%d, "s5": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"timeout": %%d}\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, c[1], c[2], c[3], c[4], e.connect, e.read, e.write, e.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def run(base_url: str, requests: list[Req], *, duration: float, connections: int, timeout: float,
        threads: int | None = None) -> Result:
    threads = max(1, min(threads or os.cpu_count() or 2, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"specs": ",\n  ".join(_lua_spec(req) for req in requests)})
    try:
        completed = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
             "--timeout", f"{max(1, round(timeout))}s", "-s", script.name, base_url],
            capture_output=True, text=True, timeout=duration + timeout + 120)
    finally:
        os.unlink(script.name)
    return _parse(completed, connections)


def _parse(completed: subprocess.CompletedProcess, connections: int) -> Result:
    for line in completed.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            data = json.loads(line[len("BENCHJSON "):])
            return Result(
                requests=data["requests"], seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50"] / 1000, p95_ms=data["p95"] / 1000, p99_ms=data["p99"] / 1000,
                max_ms=data["max"] / 1000, ok=data["s2"], redirects=data["s3"], client_errors=data["s4"],
                server_errors=data["s5"], socket_errors=data["connect"] + data["read"] + data["write"],
                timeouts=data["timeout"], connections=connections)
    raise SystemExit(f"http_load: wrk gave no result (exit {completed.returncode}):\n"
                     f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
