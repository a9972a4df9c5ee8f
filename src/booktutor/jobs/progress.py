"""Progress counters a job updates synchronously, flushed to its row in the background."""

from __future__ import annotations

from typing import Any


class JobProgress:
    """Counters for the Ingestor's IngestProgress protocol, plus free-form items for other jobs."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.changed = False

    def start(self, files: int = 0, chunks: int = 0, items: int = 0) -> None:
        if items:
            self.values.update(items_total=items, items_done=0)
        else:
            self.values.update(files_total=files, chunks_total=chunks, files_done=0, chunks_done=0)
        self.changed = True

    def advance(self, files: int = 0, chunks: int = 0, items: int = 0) -> None:
        for key, step in (("files_done", files), ("chunks_done", chunks), ("items_done", items)):
            if step:
                self.values[key] = self.values.get(key, 0) + step
        self.changed = True

    def snapshot(self) -> dict[str, Any]:
        self.changed = False
        return dict(self.values)
