"""Per-language technical glossaries (translate/glossary_<lang>.yaml): keep in English, or map."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Glossary:
    language: str
    keep: tuple[str, ...] = ()
    mapped: dict[str, str] = field(default_factory=dict)
    digest: str = ""

    def relevant(self, text: str) -> Glossary:
        """Only the entries that occur in `text`, to keep prompts short."""

        def occurs(term: str) -> bool:
            return re.search(rf"(?<!\w){re.escape(term)}", text, re.IGNORECASE) is not None

        return Glossary(
            self.language,
            tuple(t for t in self.keep if occurs(t)),
            {k: v for k, v in self.mapped.items() if occurs(k)},
            self.digest,
        )

    def instructions(self) -> str:
        lines = []
        if self.keep:
            lines.append("Keep these technical terms in English (Latin script): " + ", ".join(self.keep) + ".")
        if self.mapped:
            lines.append(
                "Translate these terms exactly as given: "
                + "; ".join(f"{en} → {tr}" for en, tr in self.mapped.items())
                + "."
            )
        return "\n".join(lines)


@lru_cache
def load_glossary(language: str) -> Glossary:
    path = GLOSSARY_DIR / f"glossary_{language.split('-')[0].lower()}.yaml"
    if not path.is_file():
        return Glossary(language)
    raw = path.read_bytes()
    data = yaml.safe_load(raw) or {}
    return Glossary(
        language=language,
        keep=tuple(str(t) for t in data.get("keep") or ()),
        mapped={str(k): str(v) for k, v in (data.get("map") or {}).items()},
        digest=hashlib.sha256(raw).hexdigest()[:16],
    )
