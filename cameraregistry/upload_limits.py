"""Size limits for staff file uploads (imports, boundaries), enforced while the body streams in.

Django's default handlers keep the whole upload (in memory or a temporary file) before a view
can look at its size. `limit_uploads` installs, for one view, a handler that writes to a
temporary file and stops reading the request the moment the files together pass the limit,
removing what it wrote. The view then finds `request.upload_refusal` set to the message to show.

As with footage (footage/views.py), the CSRF check must run after the handler is installed:
the CSRF middleware would otherwise parse the body with the default handlers first. So the
decorator marks the view csrf_exempt and applies csrf_protect inside, after installing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Temporary-file upload handler that stops at `max_bytes` of file data in one request."""

    def __init__(self, request=None, *, max_bytes: int, what: str = "The file") -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.what = what
        self.received = 0
        self.refusal: str | None = None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        if self.content_length is not None and self.received + self.content_length > self.max_bytes:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self._refuse()
        return super().receive_data_chunk(raw_data, start)

    def _refuse(self) -> None:
        self.refusal = f"{self.what} is larger than {_megabytes(self.max_bytes)}; nothing was stored."
        self._remove_partial()
        # connection_reset: the rest of the body is not read, however large it is.
        raise StopUpload(connection_reset=True)

    def upload_interrupted(self) -> None:
        self._remove_partial()

    def _remove_partial(self) -> None:
        partial = getattr(self, "file", None)
        if partial is not None and not partial.closed:
            partial.close()  # a TemporaryUploadedFile removes its file on close


def limit_uploads(max_bytes: Callable[[], int], what: str = "The file") -> Callable:
    """Decorate a view that receives files: at most `max_bytes()` bytes of files per request."""

    def decorator(view: Callable) -> Callable:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            handler = LimitedUploadHandler(request, max_bytes=max_bytes(), what=what)
            request.upload_handlers = [handler]
            request.upload_limit = handler
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def upload_refusal(request: HttpRequest) -> str | None:
    """The message for an upload that `limit_uploads` stopped, or None. Reads the body if needed."""
    handler = getattr(request, "upload_limit", None)
    if handler is None or request.method != "POST":
        return None
    request.FILES  # noqa: B018 - parsing the body streams the files through the handler
    return handler.refusal
