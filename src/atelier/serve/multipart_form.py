"""Reads a multipart form into memory, and only into memory.

Starlette's own form parser spools uploads larger than 1 MiB to temporary files; uploaded
photos of people must never touch the disk, so forms are parsed here with
python-multipart told to keep every file in memory. The body is already bounded by
:class:`atelier.serve.body_limit.BodySizeLimit`, which bounds the memory too.
"""

from __future__ import annotations

from dataclasses import dataclass

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, FormParser, parse_options_header
from starlette.requests import Request

from atelier.serve.errors import BadRequest, InvalidRequest, UnsupportedMediaType

MAX_FORM_PARTS = 64


@dataclass(frozen=True, eq=False)
class FormPart:
    """One part of a form: a file or a text field, both as bytes."""

    name: str
    data: bytes
    is_file: bool

    def __repr__(self) -> str:
        return f"FormPart(name={self.name!r}, {len(self.data)} bytes, is_file={self.is_file})"


class UploadedForm:
    """The parts of one form, in the order they were sent."""

    def __init__(self, parts: list[FormPart]):
        self.parts = parts

    @property
    def names(self) -> set[str]:
        """Every field name that occurs."""
        return {part.name for part in self.parts}

    def all_bytes(self, name: str) -> list[bytes]:
        """The contents of every part called ``name``, files or text, in order."""
        return [part.data for part in self.parts if part.name == name]

    def all_text(self, name: str) -> list[str]:
        """The values of every part called ``name`` as text.

        Raises:
            InvalidRequest: A value is not UTF-8.
        """
        values = []
        for data in self.all_bytes(name):
            try:
                values.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                raise InvalidRequest(f"{name}: the value is not UTF-8 text") from None
        return values

    def one_text(self, name: str) -> str | None:
        """The value of a field that may occur at most once, or None if absent.

        Raises:
            InvalidRequest: The field occurs more than once or is not UTF-8.
        """
        values = self.all_text(name)
        if len(values) > 1:
            raise InvalidRequest(f"{name}: give this field once, not {len(values)} times")
        return values[0] if values else None

    def one_file(self, name: str) -> bytes | None:
        """The bytes of a file field that may occur at most once, or None if absent.

        Raises:
            InvalidRequest: The field occurs more than once.
        """
        values = self.all_bytes(name)
        if len(values) > 1:
            raise InvalidRequest(f"{name}: give this field once, not {len(values)} times")
        return values[0] if values else None


async def read_multipart_form(request: Request, *, max_parts: int = MAX_FORM_PARTS) -> UploadedForm:
    """Parses a ``multipart/form-data`` request body into memory.

    Args:
        request: The request, whose body has not been read yet.
        max_parts: Most parts accepted, so a flood of tiny fields is refused early.

    Returns:
        The form's parts.

    Raises:
        UnsupportedMediaType: The body is not ``multipart/form-data``.
        BadRequest: The body is not a well-formed multipart form.
        InvalidRequest: More than ``max_parts`` parts.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        raise UnsupportedMediaType(
            "the request body must be multipart/form-data", code="unsupported_media_type"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("the multipart/form-data Content-Type has no boundary")

    parts: list[FormPart] = []

    def keep(part: FormPart) -> None:
        if len(parts) >= max_parts:
            raise InvalidRequest(f"the form has more than {max_parts} parts")
        parts.append(part)

    def on_field(field: Field) -> None:
        keep(FormPart(_field_name(field.field_name), field.value or b"", is_file=False))

    def on_file(file: File) -> None:
        if not file.in_memory:  # cannot happen with the configuration below; never allow it silently
            raise RuntimeError("an upload left memory")
        file.file_object.seek(0)
        keep(FormPart(_field_name(file.field_name), file.file_object.read(), is_file=True))
        file.close()

    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        boundary=boundary,
        config={"MAX_MEMORY_FILE_SIZE": float("inf")},
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError as error:
        raise BadRequest(f"the multipart form cannot be read ({error})") from None
    return UploadedForm(parts)


def _field_name(raw: bytes | None) -> str:
    if raw is None:
        raise BadRequest("a form part has no name")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("a form field name is not UTF-8") from None
