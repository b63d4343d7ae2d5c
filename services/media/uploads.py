"""The bytes of one multipart file field, taken from the request as they arrive.

Starlette's `request.form()` would spool the whole body before the route sees a byte;
this streams it, so a wrong type or an oversized file is refused after its first chunks.
"""

from collections.abc import AsyncIterator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from services.core.problems import Problem, field_error

FIELD = "file"


class _FilePart:
    """Parser callbacks keeping the data of the first part named `field`."""

    def __init__(self, field: str):
        self.field = field.encode()
        self.pending: list[bytes] = []
        self.started = self.finished = self._inside = False
        self._name = self._value = self._disposition = b""

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._header_name,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done, "on_part_data": self._data,
                "on_part_end": self._end}

    def take(self) -> list[bytes]:
        """The file bytes parsed since the last call."""
        taken, self.pending = self.pending, []
        return taken

    def _begin(self) -> None:
        self._inside, self._disposition = False, b""

    def _header_name(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._name.strip().lower() == b"content-disposition":
            self._disposition = self._value
        self._name = self._value = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._inside = not self.started and options.get(b"name") == self.field
        self.started = self.started or self._inside

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._inside:
            self.pending.append(data[start:end])

    def _end(self) -> None:
        if self._inside:
            self._inside, self.finished = False, True


def _parser(content_type: str, field: str) -> tuple[MultipartParser, _FilePart]:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise field_error(field, "请以 multipart/form-data 格式上传文件")
    part = _FilePart(field)
    try:
        return MultipartParser(options[b"boundary"], part.callbacks()), part
    except (MultipartParseError, ValueError) as exc:
        raise _malformed() from exc


def _malformed() -> Problem:
    return Problem(400, "上传内容格式有误", "无法解析上传的表单，请重新上传")


async def file_chunks(request: Request, field: str = FIELD) -> AsyncIterator[bytes]:
    """Yield the file field's bytes while the body streams in; stop reading once it ends."""
    parser, part = _parser(request.headers.get("content-type", ""), field)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for data in part.take():
                yield data
            if part.finished:
                return
    except MultipartParseError as exc:
        raise _malformed() from exc
    except ClientDisconnect:
        raise Problem(400, "上传已中断", "连接中断，请重新上传") from None
    if part.started:
        raise Problem(400, "上传内容不完整", "文件未传完，请重新上传")
    raise field_error(field, "请选择要上传的文件")
