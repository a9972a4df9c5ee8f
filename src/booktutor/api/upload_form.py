"""Reading an upload form as it arrives: the file part is written to disk chunk by chunk (never held in
memory), small text fields are kept. A file part is the named field whether or not the client gave it a
filename (RFC 7578 makes the filename optional)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from booktutor.errors import AppError, BadRequest

if TYPE_CHECKING:  # a TypedDict that python-multipart defines for type checkers only
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELD_BYTES = 4096


class MalformedForm(AppError):
    code = "bad_request"
    status_code = 400


@dataclass
class UploadForm:
    file_name: str | None = None  # the client's name for the file, if it gave one
    file_received: bool = False
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    buffer: bytearray = field(default_factory=bytearray)


class _FormWriter:
    """python-multipart callbacks: the file field goes to `out`, other fields to memory (bounded)."""

    def __init__(self, file_field: str, out: IO[bytes]) -> None:
        self.file_field, self.out, self.form = file_field, out, UploadForm()
        self.part, self.header_field, self.header_value = _Part(), bytearray(), bytearray()
        self.pending: list[bytes] = []  # file bytes parsed from the current chunk, written after it

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self.header_field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.header_value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self.part = _Part()

    def _header_end(self) -> None:
        self.part.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field, self.header_value = bytearray(), bytearray()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if self.part.name == self.file_field:
            self.form.file_received = True
            filename = options.get(b"filename")
            self.form.file_name = filename.decode("utf-8", "replace") if filename else None

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.part.name == self.file_field:
            self.pending.append(data[start:end])
            return
        self.part.buffer.extend(data[start:end])
        if len(self.part.buffer) > MAX_FIELD_BYTES:
            raise MalformedForm(f"The form field {self.part.name!r} is longer than {MAX_FIELD_BYTES} bytes.")

    def _end(self) -> None:
        if self.part.name and self.part.name != self.file_field:
            self.form.fields[self.part.name] = self.part.buffer.decode("utf-8", "replace")


async def read_upload_form(request: Request, file_field: str, target: Path) -> UploadForm:
    """Parse the request's multipart body; the `file_field` part is written to `target`."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest("Send the archive as multipart/form-data.", details=[{"loc": ["body", file_field]}])
    with target.open("wb") as out:
        writer = _FormWriter(file_field, out)
        parser = MultipartParser(boundary, writer.callbacks())
        try:
            async for chunk in request.stream():
                parser.write(chunk)
                if writer.pending:
                    await asyncio.to_thread(out.writelines, writer.pending)
                    writer.pending = []
            parser.finalize()
        except MultipartParseError as exc:
            raise MalformedForm(f"The multipart body is malformed: {exc}"[:300]) from exc
    return writer.form
