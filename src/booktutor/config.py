"""One typed Settings object for the whole service (env prefix ``BOOKTUTOR_``, ``.env`` read)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _key(name: str) -> AliasChoices:
    """A provider key read as BOOKTUTOR_<NAME> or the provider SDK's own <NAME> (the prefixed one wins)."""
    return AliasChoices(f"BOOKTUTOR_{name}", name)


EmbeddingProviderName = Literal["local", "local-torch", "cohere", "gemini", "fake"]
LLMProviderName = Literal["extractive", "openai", "gemini", "fake"]
_OFFLINE_FALLBACK: list[LLMProviderName] = ["extractive"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BOOKTUTOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./.booktutor")
    database_url: str | None = None
    db_pool_size: int = 20  # kept open: connections beyond it (overflow) are closed after each use
    db_max_overflow: int = 10
    db_connect_timeout_s: float = 5.0
    db_disable_statement_cache: bool = False

    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "booktutor_chunks"
    qdrant_timeout_s: float = 5.0

    embedding_provider: EmbeddingProviderName = "local"
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_batch_size: int = 64
    onnx_model_dir: Path | None = None  # another export of the bundled model (a read-only install); None: the package's
    cohere_api_key: SecretStr | None = Field(default=None, validation_alias=_key("COHERE_API_KEY"))
    cohere_embed_model: str = "embed-multilingual-v3.0"
    cohere_rerank_model: str = "rerank-v3.5"
    rerank_enabled: bool = False

    llm_provider: LLMProviderName = "extractive"
    llm_fallbacks: list[LLMProviderName] = Field(default_factory=lambda: _OFFLINE_FALLBACK.copy())
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0  # time to a provider's first token, retries included, per run
    llm_run_timeout_s: float = 180.0  # the whole run (routing, tools, answer)
    llm_router_timeout_s: float = 3.0  # the LLM router's call; then the offline router decides
    llm_breaker_threshold: int = 3  # consecutive failures that open a provider's circuit
    llm_breaker_cooldown_s: float = 30.0  # an open circuit lets one trial call through after this
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_key("OPENAI_API_KEY"))
    openai_base_url: str | None = None
    gemini_api_key: SecretStr | None = Field(default=None, validation_alias=_key("GEMINI_API_KEY"))
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None  # another server speaking the Gemini API; None: Google's
    gemini_thinking_budget: int | None = None  # thinking tokens per call (0: off on Flash); None: the model's default
    gemini_embed_model: str = "gemini-embedding-001"
    gemini_embed_dimension: int = Field(default=768, ge=1)  # Gemini's output_dimensionality

    secret_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8000"])
    log_level: str = "INFO"
    log_json: bool = True

    default_book_id: str = "physical-ai-short-course"
    max_message_chars: int = 4000
    max_selection_chars: int = 8000
    double_text_policy: Literal["reject", "interrupt", "enqueue"] = "reject"
    stream_disconnect_grace_s: float = 0.75
    stream_first_subscriber_grace_s: float = 10.0
    stream_ping_s: float = 15.0
    run_retention_s: float = 600.0
    run_lease_s: float = 15.0  # a run whose process stops renewing this lease is recovered as interrupted
    run_heartbeat_s: float = 2.0  # how often leases are renewed, the partial answer saved, orphans looked for
    stream_follower_ttl_s: float = 3.0  # with Redis: how long a follower on another replica keeps a run alive

    # --- accounts, auth, abuse limits (issue 8) ---
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    admin_emails: list[str] = Field(default_factory=list)
    better_auth_jwks_url: str | None = None
    better_auth_issuer: str | None = None
    better_auth_audience: str | None = None
    better_auth_algorithms: list[str] = Field(default_factory=lambda: ["EdDSA", "RS256", "ES256"])
    better_auth_admin_role: str = "admin"
    better_auth_jwks_cache_s: int = 300
    better_auth_jwks_refresh_cooldown_s: float = 30.0  # least time between refetches on unknown kids
    redis_url: str | None = None
    rate_limit_enabled: bool = True
    rate_limit_prefix: str = "booktutor"
    rate_limit_default: str = "120/minute"
    rate_limit_default_ip: str = "600/minute"
    rate_limit_generation: str = "20/minute"
    rate_limit_generation_ip: str = "60/minute"
    rate_limit_auth_ip: str = "20/minute"
    rate_limit_generation_paths: list[str] = Field(
        default_factory=lambda: [
            r"^/api/v1/agent/run",
            r"^/api/v1/chatbot/",
            r"^/api/v1/ai/",
            r"personali[sz]",
            r"translat",
            r"^/api/v1/books/[^/]+/chapters/[^/]+/quiz$",  # creating a quiz; playing it is not generation
        ]
    )
    # X-Forwarded-For/-Proto are honoured only with trust_forwarded_for, and only from these peers
    # (IP addresses or CIDR networks; "*" for any peer: only when nothing else can reach the server).
    trust_forwarded_for: bool = False
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    internal_networks: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])  # see /ready details
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    max_archive_members: int = Field(default=20_000, ge=1)
    max_archive_expanded_bytes: int = Field(default=200 * 1024 * 1024, ge=1)  # an upload unpacked
    admin_ingest_roots: list[Path] = Field(default_factory=list)
    guest_retention_days: float = Field(default=30.0, gt=0)  # then guests with nothing stored are deleted
    metrics_port: int | None = None  # serve /metrics on this port only (not on the API's)
    metrics_host: str | None = None  # where that port listens; None: BOOKTUTOR_HOST
    metrics_token: SecretStr | None = None  # /metrics then needs `Authorization: Bearer <token>`

    # --- widget and demo site (issue 9) ---
    site_book_id: str | None = None  # the book the demo site at / shows; None: the first book
    widget_bundle_path: Path | None = None  # served at /widget.js; None: widget/dist/widget.js

    # --- personalization and translation (issue 6) ---
    machine_translation_languages: list[str] = Field(default_factory=lambda: ["ur"])

    # --- observability (issue 10) ---
    otel_endpoint: str | None = None  # OTLP/HTTP collector base URL, e.g. http://otel-collector:4318; None: no tracing
    otel_service_name: str = "booktutor"

    # --- background jobs (issue 10) ---
    job_worker_in_process: bool = True  # the API runs a worker too; off when `booktutor worker` runs apart
    job_concurrency: int = Field(default=1, ge=1, le=32)
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    job_retry_wait_s: int = Field(default=10, ge=0)  # before attempt n+1: wait × n seconds
    job_shutdown_grace_s: float = 10.0  # then a running job is stopped and goes back to the queue

    @field_validator("trusted_proxies", "internal_networks")
    @classmethod
    def _addresses_or_networks(cls, values: list[str]) -> list[str]:
        for value in values:
            if value != "*":
                ipaddress.ip_network(value.strip(), strict=False)  # ValueError names the bad entry
        return [value.strip() for value in values]

    @property
    def embedded_postgres_dir(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def qdrant_edge_dir(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def uses_embedded_postgres(self) -> bool:
        return not self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
