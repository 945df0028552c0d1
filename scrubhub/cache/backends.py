"""The shared cache: Redis while it answers, the database while it does not.

Everything that limits abuse counts in the default cache: allauth's failed sign-ins and
password resets, django-ratelimit's joining and kit look-ups (scrubhub/ratelimits.py), the
sign-in link counters (makers/signin.py), and the one-time marks that stop a form being sent
twice. With plain RedisCache an outage raised redis.ConnectionError in all of them, so
nobody could join or sign in.

Why one backend and not a fallback at each call: allauth reads the cache itself, so a
per-call fallback could not reach its limits without patching allauth; every new limit would
need its own; and each would have to choose between failing open (an outage switches the
limit off, a way round it) and failing closed (an outage stops everyone). Here every caller
keeps working and every limit keeps holding, counted in a table instead.

What an outage does, in each process:
- The first call that cannot reach Redis logs one warning, and that call and the ones after
  it go to the "database" cache (Django's DatabaseCache, the table made by this app's
  migration). Redis is tried again after RETRY_SECONDS; while it stays down nothing more is
  logged. The first call it answers logs that it is back, and the cache is Redis again.
- Counts start afresh on each side of a switch: a limit can allow up to twice its number
  across one, and never switches off. What was written during the outage stays in the table
  and is not seen once Redis is back (it expires there).
- A Redis that takes connections but never replies costs one short socket time-out (the
  OPTIONS in settings), not a hung request.
- Only a connection failure or a time-out means "down". Any other Redis error is a bug or a
  misconfiguration and is raised as before.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("scrubhub.cache")

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class _Outage:
    """Whether one Redis is thought to be down, shared by every thread of the process (each
    thread has its own cache object, so this cannot live on the object)."""

    def __init__(self, where: str):
        self.where = where
        self.lock = threading.Lock()
        self.since: float | None = None
        self.retry_at = 0.0

    def worth_trying(self) -> bool:
        return self.since is None or time.monotonic() >= self.retry_at

    def began(self, error: Exception, retry_seconds: float) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + retry_seconds
            if self.since is not None:
                return
            self.since = time.monotonic()
        logger.warning(
            "The cache cannot reach Redis at %s (%s). Rate limits and one-time form marks "
            "are kept in the database until it answers; trying it again every %g seconds.",
            self.where,
            type(error).__name__,
            retry_seconds,
        )

    def ended(self) -> None:
        if self.since is None:  # the usual case, so no lock
            return
        with self.lock:
            if self.since is None:
                return
            seconds = time.monotonic() - self.since
            self.since = None
        logger.info(
            "The cache's Redis at %s answers again after %.0f seconds; back to Redis.",
            self.where,
            seconds,
        )


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        if location not in _outages:
            # Host and port only: a password in the URL never reaches a log line.
            parts = urlsplit(location.split(",")[0])
            _outages[location] = _Outage(f"{parts.hostname}:{parts.port or 6379}")
        return _outages[location]


class RedisWithDatabaseFallback(BaseCache):
    """Django's RedisCache, carrying on against another cache (OPTIONS["FALLBACK"], by
    default "database") while Redis cannot be reached. Other OPTIONS go to Redis."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._fallback_alias = options.pop("FALLBACK", "database")
        self._retry_seconds = float(options.pop("RETRY_SECONDS", 10))
        super().__init__({**params, "OPTIONS": {}})
        self._redis = RedisCache(server, {**params, "OPTIONS": options})
        self._outage = _outage_for(server if isinstance(server, str) else ",".join(server))

    def _call(self, method: str, *args, **kwargs):
        if self._outage.worth_trying():
            first = self._outage.since is None
            for attempt in (1, 2) if first else (1,):
                try:
                    result = getattr(self._redis, method)(*args, **kwargs)
                except REDIS_DOWN as error:
                    # A pooled connection left over from before a Redis restart fails once;
                    # a fresh one, made on the second try, tells a restart from an outage.
                    if attempt == 2 or not first:
                        self._outage.began(error, self._retry_seconds)
                else:
                    self._outage.ended()
                    return result
        return getattr(caches[self._fallback_alias], method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call("decr", *args, **kwargs)

    def clear(self):
        # Both sides: what an outage left in the table is forgotten too.
        result = self._call("clear")
        caches[self._fallback_alias].clear()
        return result

    def close(self, **kwargs):
        self._redis.close(**kwargs)


class DatabaseCounterCache(DatabaseCache):
    """Django's DatabaseCache with a counter fit for rate limits.

    BaseCache.incr reads, adds and writes back with the default timeout: two requests at
    once can both read the same count, and every increment would push the window's end to
    five minutes from now, so a counter meant to last an hour could end early. Here the
    row is locked while it is counted, and keeps the expiry it was added with."""

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        missing = object()
        with transaction.atomic(using=db):
            expires = self._locked_expiry(db, self.make_and_validate_key(key, version=version))
            value = missing if expires is None else self.get(key, missing, version=version)
            if value is missing:
                raise ValueError(f"Key '{key}' not found.")
            value += delta
            left = (expires - now()).total_seconds()
            # A key set to last for ever is stored as the year 9999.
            self.set(key, value, None if expires.year == 9999 else max(left, 1), version)
        return value

    def _locked_expiry(self, db: str, key: str):
        connection = connections[db]
        quote = connection.ops.quote_name
        lock = connection.ops.for_update_sql() if connection.features.has_select_for_update else ""
        # Names quoted by the database's own rules, the key passed as a parameter.
        table, key_column, expires_column = (
            quote(n) for n in (self._table, "cache_key", "expires")
        )
        sql = f"SELECT {expires_column} FROM {table} WHERE {key_column} = %s {lock}"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        expires = row[0]
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires
