"""One typed Settings object for the whole service (env prefix ``BOOKTUTOR_``, ``.env`` read)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbeddingProviderName = Literal["local", "cohere", "fake"]
LLMProviderName = Literal["extractive", "openai", "gemini", "fake"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BOOKTUTOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./.booktutor")
    database_url: str | None = None
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_connect_timeout_s: float = 5.0
    db_disable_statement_cache: bool = False

    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "booktutor_chunks"
    qdrant_timeout_s: float = 5.0

    embedding_provider: EmbeddingProviderName = "local"
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_batch_size: int = 64
    cohere_api_key: SecretStr | None = Field(default=None, validation_alias="COHERE_API_KEY")
    cohere_embed_model: str = "embed-multilingual-v3.0"
    cohere_rerank_model: str = "rerank-v3.5"
    rerank_enabled: bool = False

    llm_provider: LLMProviderName = "extractive"
    llm_fallbacks: list[LLMProviderName] = Field(default_factory=lambda: ["extractive"])
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = None
    gemini_api_key: SecretStr | None = Field(default=None, validation_alias="GEMINI_API_KEY")
    gemini_model: str = "gemini-2.5-flash"

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
    stream_ping_s: float = 15.0
    run_retention_s: float = 600.0
    search_k_max: int = 50
    chunk_min_tokens: int = 150
    chunk_max_tokens: int = 400
    chunk_overlap_tokens: int = 40

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
