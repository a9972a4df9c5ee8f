"""Parse every file of a discovered book into documents, collecting per-file problems."""

from __future__ import annotations

from booktutor.ingest.discover import BookSource
from booktutor.ingest.document import parse_document
from booktutor.ingest.models import FileProblem, ParsedDocument


def parse_book(source: BookSource) -> tuple[list[ParsedDocument], list[FileProblem]]:
    documents: list[ParsedDocument] = []
    problems: list[FileProblem] = list(source.problems)
    for file in source.files():
        try:
            raw = file.read_bytes()
        except OSError as exc:
            problems.append(FileProblem(file.source_path, file.language, "unreadable", str(exc)))
            continue
        parsed = parse_document(
            raw,
            file.source_path,
            file.language,
            folder_position=file.folder_position,
            site=source.site.docs,
            default_language=source.default_language,
        )
        if isinstance(parsed, FileProblem):
            problems.append(parsed)
        else:
            documents.append(parsed)
    return documents, problems
