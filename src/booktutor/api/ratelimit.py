"""Rate limits per identity and per IP (the `limits` library), stricter for chat and generation.

Redis-backed when `BOOKTUTOR_REDIS_URL` is set, so every worker shares the counters; in-process
otherwise. If Redis cannot be reached the request is let through (and a warning logged): a
limiter outage must not become a service outage.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from booktutor.api.errors import error_response
from booktutor.api.netinfo import bearer_token, client_ip, guest_token
from booktutor.config import Settings
from booktutor.providers.registry import provider_capabilities

log = structlog.get_logger(__name__)
EXEMPT = re.compile(r"^/api/v1/(health|ready)$")
AUTH_PATHS = re.compile(r"^/api/v1/users/(login|register|refresh)$")


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: RateLimitItem
    key: str


def storage_uri(settings: Settings) -> str:
    if settings.redis_url:
        return "async+" + settings.redis_url if not settings.redis_url.startswith("async+") else settings.redis_url
    return "async+memory://"


def identity_key(conn: HTTPConnection) -> str | None:
    """A digest of the credential the caller presents (unverified: cheap, and un-forgeable for others)."""
    token = bearer_token(conn) or guest_token(conn)
    return hashlib.sha256(token.encode()).hexdigest()[:32] if token else None


QUIZ_ANSWERS = r"^/api/v1/quizzes/[^/]+/answers$"


def generation_paths(settings: Settings) -> list[str]:
    """The generation bucket's paths; quiz answers join it only when a language model grades them."""
    graded_by_model = provider_capabilities(settings.llm_provider).language_model
    return [*settings.rate_limit_generation_paths, *([QUIZ_ANSWERS] if graded_by_model else [])]


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        uri = storage_uri(settings)
        options = {"implementation": "redispy"} if "redis" in uri else {}  # redis-py, not coredis
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri, **options))
        self.generation = [re.compile(p) for p in generation_paths(settings)]
        self.prefix = settings.rate_limit_prefix

    def rules(self, conn: HTTPConnection) -> list[Rule]:
        path, s = conn.url.path, self.settings
        ip = client_ip(conn)
        identity = identity_key(conn) or f"ip:{ip}"
        kind = "generation" if any(p.search(path) for p in self.generation) else "default"
        per_identity = s.rate_limit_generation if kind == "generation" else s.rate_limit_default
        per_ip = s.rate_limit_generation_ip if kind == "generation" else s.rate_limit_default_ip
        rules = [Rule(f"{kind}:identity", parse(per_identity), identity), Rule(f"{kind}:ip", parse(per_ip), ip)]
        if AUTH_PATHS.match(path):
            rules.append(Rule("auth:ip", parse(s.rate_limit_auth_ip), ip))
        return rules

    async def check(self, conn: HTTPConnection) -> Rule | None:
        """The first rule the request breaks (after counting it), or None."""
        for rule in self.rules(conn):
            if not await self.limiter.hit(rule.limit, self.prefix, rule.scope, rule.key):
                return rule
        return None

    async def retry_after(self, rule: Rule) -> int:
        stats = await self.limiter.get_window_stats(rule.limit, self.prefix, rule.scope, rule.key)
        return max(1, math.ceil(stats.reset_time - time.time()))


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limiter = RateLimiter(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or EXEMPT.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        try:
            broken = await self.limiter.check(conn)
            retry = await self.limiter.retry_after(broken) if broken else 0
        except Exception as exc:  # e.g. Redis unreachable: fail open
            log.warning("rate_limit_unavailable", error=type(exc).__name__)
            broken = None
        if broken is None:
            await self.app(scope, receive, send)
            return
        log.info("rate_limited", scope=broken.scope, path=scope["path"])
        response = error_response(
            429,
            "rate_limited",
            "Too many requests; slow down.",
            {"limit": str(broken.limit), "scope": broken.scope},
            headers={"Retry-After": str(retry)},
        )
        await response(scope, receive, send)
