"""Answers kept in the shared cache under a version stamp, and the conditional GET around them (issue 13).

A family of answers that change together (the catalogue's pages and API) is stamped by a `Version`: a
token naming the state the answers were made from, and when that state last changed (Last-Modified).
Every answer is cached under a key that holds the token, so an edit needs no list of keys to delete:
it gives the family a new token, and answers made from the old rows are never found again (they
expire on their own; nothing in them is personal).

Where the version lives, and why it is trusted:
- In the shared cache (Redis when CACHE_URL or REDIS_URL says so), so every process sees an edit at
  once. The process's own memory is only a guess at the token, checked in the same round trip.
- `modified` is always recomputed from the database (the caller's `modified` function reads stored
  timestamps, such as the history rows of every edit), never invented from the clock: it cannot move
  backwards, and after the cache is flushed it comes back the same.
- After a flush the token is derived from `modified` and the code's stamp, so every process that
  recomputes it agrees; after an edit it is random, so that no answer made before the edit matches.
- The key of the version itself holds a stamp of the code (templates and modules the answers are made
  from): a deploy never serves a page rendered by the previous release from Redis.
- An unreachable cache is a miss, never an error: the answers are then made from the database, as
  before there was a cache (portal/ratelimit.py fails open the same way).
"""
import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.core.cache.backends import redis as django_redis  # redis itself is imported on first use
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".json")
# How long a version is trusted without reading the database again. In one process's memory (the
# locmem default), another process's edit (a management command, a second worker) is never seen
# there; a few seconds bound that. A shared cache sees every edit: the day only heals an edit that
# bypassed the signals (a queryset.update() in a shell).
LOCAL_VERSION_SECONDS = 5
SHARED_VERSION_SECONDS = 24 * 3600
logger = logging.getLogger(__name__)


def _quietly(default, operation, *args):
    """`operation(*args)`, or `default` when the cache cannot be reached."""
    try:
        return operation(*args)
    except Exception:  # noqa: BLE001 - Redis down must not take the catalogue down with it
        logger.warning("cache unreachable: %s answered from the database", getattr(operation, "__name__", operation),
                       exc_info=True)
        return default


@dataclass(frozen=True)
class Version:
    token: str
    modified: datetime | None  # aware; None when the data has no stored timestamp at all

    @property
    def last_modified(self) -> int | None:
        return int(self.modified.timestamp()) if self.modified else None

    @cached_property
    def http_last_modified(self) -> str | None:
        return http_date(self.last_modified) if self.modified else None


def source_stamp(paths: Iterable[Path]) -> str:
    """A digest of the source files under `paths`: the same on every server of one release."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        files = sorted(p for p in path.rglob("*") if p.suffix in SOURCE_SUFFIXES) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(file.anchor)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def latest_timestamp(sources: Iterable[tuple]) -> datetime | None:
    """The latest of the timestamps `sources` name: (queryset, field) pairs, one small query each."""
    from django.db.models import Max

    stamps = [qs.aggregate(latest=Max(field))["latest"] for qs, field in sources]
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class VersionStamp:
    """The version of one family of cached answers, and the keys, ETags and lookups under it."""

    def __init__(self, name: str, *, modified: Callable[[], datetime | None], sources: Callable[[], Iterable[Path]],
                 timeout: int = 300):
        self.name = name
        self._modified = modified
        self._sources = sources
        self.timeout = timeout  # of each cached answer: bounds what stale keys hold, not how fresh they are
        self._guess = threading.local()

    @cached_property
    def code(self) -> str:
        return source_stamp(self._sources())

    @property
    def _version_key(self) -> str:
        return f"{self.name}:version:{self.code}"

    @property
    def _version_seconds(self) -> int:
        return LOCAL_VERSION_SECONDS if isinstance(caches["default"], LocMemCache) else SHARED_VERSION_SECONDS

    def key(self, version: Version, parts) -> str:
        return f"{self.name}:{version.token}:{_digest(parts)}"

    def etag(self, version: Version, parts) -> str:
        return f'"{_digest(self.code, version.token, parts)}"'

    # --- reading ---------------------------------------------------------------------------------

    def current(self) -> Version:
        return self._version(_quietly(None, cache.get, self._version_key))

    def read(self, parts) -> tuple[Version, object]:
        """The current version and what is cached for `parts` under it (None when nothing is).

        One round trip when the version this thread saw last is still current: the version and
        the answer under that guess are fetched together, and the answer is used only if the
        version fetched is the guessed one."""
        guess = getattr(self._guess, "version", None)
        keys = [self._version_key] + ([self.key(guess, parts)] if guess else [])
        found = _quietly({}, cache.get_many, keys)
        version = self._version(found.get(self._version_key))
        if guess is not None and guess.token == version.token:
            return version, found.get(keys[1])
        return version, _quietly(None, cache.get, self.key(version, parts))

    def write(self, version: Version, parts, value) -> None:
        _quietly(None, cache.set, self.key(version, parts), value, self.timeout)

    def get_or_make(self, version: Version, parts, make: Callable[[], object]):
        """What is cached for `parts` under `version`, made (and kept) when nothing is."""
        value = _quietly(None, cache.get, self.key(version, parts))
        if value is None:
            value = make()
            self.write(version, parts, value)
        return value

    def read_or_make(self, parts, make: Callable[[], object]):
        """What is cached for `parts` under the current version (read(): one round trip when this thread's
        guess is current), made (and kept) when nothing is."""
        version, value = self.read(parts)
        if value is None:
            value = make()
            self.write(version, parts, value)
        return value

    def _version(self, stored) -> Version:
        if stored is None:
            stored = self._recompute()
            # add, not set: an edit's new token, written meanwhile, is never overwritten by this guess
            if not _quietly(True, cache.add, self._version_key, stored, self._version_seconds):
                stored = _quietly(None, cache.get, self._version_key) or stored
        if getattr(self._guess, "stored", None) != stored:  # else the same object: its headers formatted once
            self._guess.stored = stored
            self._guess.version = Version(stored[0], datetime.fromisoformat(stored[1]) if stored[1] else None)
        return self._guess.version

    def _recompute(self, token: str | None = None) -> tuple:
        modified = self._modified()
        stamp = modified.isoformat() if modified else ""
        return (token or _digest(self.code, stamp), stamp)

    # --- invalidation ----------------------------------------------------------------------------

    def changed(self, **kwargs) -> None:
        """The data changed in the current transaction (a signal receiver: takes its arguments).

        A new token at once, keeping Last-Modified, so that this transaction's own reads never meet an
        answer cached before it; and once more after commit, with Last-Modified read again from the
        committed rows, so that answers another process cached from the old rows meanwhile (under the
        first new token) are not used after the commit either. One refresh per transaction."""
        stored = _quietly(None, cache.get, self._version_key)
        if stored is not None:
            _quietly(None, cache.set, self._version_key, (secrets.token_hex(12), stored[1]), self._version_seconds)
        if not _pending_on_commit(self.refresh):
            transaction.on_commit(self.refresh)

    def refresh(self) -> None:
        _quietly(None, cache.set, self._version_key, self._recompute(secrets.token_hex(12)), self._version_seconds)


def _pending_on_commit(func) -> bool:
    """Whether `func` already waits for this transaction's commit: an import of a hundred rows then
    reads the timestamps once, not a hundred times. Django keeps the callbacks as (savepoint ids,
    func, robust) in connection.run_on_commit and drops those of a rolled-back savepoint, so this
    never skips a refresh a later commit needs; should that bookkeeping change, each change refreshes."""
    try:
        return any(entry[1] == func for entry in connection.run_on_commit)
    except (AttributeError, IndexError, TypeError):
        return False


# --- the conditional GET --------------------------------------------------------------------------

def revalidate(response, *, etag: str, version: Version, vary: Iterable[str] = ()):
    """Give an answer its validators: ETag, Last-Modified, and `no-cache` (a browser may keep the copy
    but asks, with a cheap conditional GET, before each use: without it a browser guesses a freshness
    from Last-Modified and shows a page for hours after an admin changed it)."""
    response["ETag"] = etag
    if version.http_last_modified is not None:
        response["Last-Modified"] = version.http_last_modified
    if "Cache-Control" in response:
        patch_cache_control(response, no_cache=True)
    else:
        response["Cache-Control"] = "no-cache"
    if vary:
        patch_vary_headers(response, tuple(vary))
    return response


def not_modified(request, *, etag: str, version: Version, vary: Iterable[str] = ()):
    """The 304 (or 412) Django's get_conditional_response gives for the client's copy, with the
    validators a 304 must repeat; None when the client's copy, if any, is not current."""
    if not any(header in request.META for header in CONDITIONS):
        return None
    validators = revalidate(HttpResponse(), etag=etag, version=version, vary=vary)
    answer = get_conditional_response(request, etag=etag, last_modified=version.last_modified, response=validators)
    return None if answer is validators else answer


def page_for_visitors(request, stamp: VersionStamp, parts, make: Callable[[Version], HttpResponse]):
    """A page that is the same for every visitor who is not signed in, kept whole under `stamp`'s
    version, with its ETag and Last-Modified (a 304 when the visitor's copy is current). `make(version)`
    renders it, reading its data under that version.

    For a signed-in user the page is made afresh each time, around their own header (from cached data,
    if `make` reads it so); the answer is theirs alone (no-store, portal.middleware). So is the page of
    a visitor with messages waiting, which then shows them once, as ever. What makes a visitor's page
    the same for all: base.html shows them no user and no CSRF token (the log-out form is for
    signed-in users), and Vary: Cookie keeps a browser's or a proxy's copy from the signed-in."""
    if request.user.is_authenticated or len(get_messages(request)):
        response = make(stamp.current())
        patch_vary_headers(response, ("Cookie",))
        return response
    # Whole pages apart from the data `make` caches under the same stamp: a page's parts may well be the
    # data's own (("guide", code) is both), and a page read back as the data broke the next signed-in view.
    parts = ("page", parts)
    version, cached = stamp.read(parts)
    etag = stamp.etag(version, parts)
    answer = not_modified(request, etag=etag, version=version, vary=("Cookie",))
    if answer is not None:
        return answer
    if cached is not None:
        response = body(cached)
    else:
        response = make(version)
        if response.status_code != 200:
            return response
        stamp.write(version, parts, keep(response))
    return revalidate(response, etag=etag, version=version, vary=("Cookie",))


def body(cached: tuple) -> HttpResponse:
    """An answer rebuilt from what `keep` stored: (content type, bytes)."""
    content_type, content = cached
    return HttpResponse(content, content_type=content_type)


def keep(response) -> tuple:
    return (response["Content-Type"], response.content)


# --- the Redis client ------------------------------------------------------------------------------

class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    """Django's client makes a redis.Redis for every operation; with redis-py 8 that costs about twice
    the round trip itself (~50 µs against ~25 µs here), on every cached page. A redis.Redis is safe to
    share between threads (each command takes a connection from the pool): one per pool is kept."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_reused_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with its client reused (portal/settings/base.py names it for redis:// caches)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
