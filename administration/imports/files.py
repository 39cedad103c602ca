"""What an import file is, decided by its content, and whether a workbook is safe to open.

The stored copy of an upload is named `<uuid>.csv` or `<uuid>.xlsx`: the extension comes from the
file's first bytes (a ZIP signature is a workbook), never from the uploader's name, which is only
compared with the content to explain a mismatch. openpyxl refuses other extensions, so the stored
name must carry one.

A workbook is a ZIP archive. Before openpyxl reads it, the archive is opened and every entry
decompressed while counting (the archive's own directory can lie): at most MAX_ENTRIES entries,
no encrypted entry, and no more than MAX_RATIO times the file's size nor MAX_UNPACKED_BYTES in
all (zip bombs). Real workbooks unpack to about 15 times their size.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx
MAX_RATIO = 100
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_ENTRIES = 2000
_CHUNK = 1024 * 1024
_WORKBOOK_NAMES = {"xlsx", "xlsm", "xltx", "xltm"}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


def stored_extension(head: bytes, name: str) -> str:
    """'.xlsx' or '.csv' for the stored copy of an upload whose first bytes are `head`."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if head.startswith(ZIP_SIGNATURE):
        return ".xlsx"
    if head.startswith(OLE_SIGNATURE):
        raise ImportFileError(old_excel_message())
    if extension in _WORKBOOK_NAMES:
        raise ImportFileError(
            f"The file is named .{extension} but is not an Excel workbook (a real .xlsx file is a ZIP archive). "
            "Open it in Excel or LibreOffice and save it again as .xlsx, or as CSV."
        )
    return ".csv"


def old_excel_message() -> str:
    return (
        "This is an old Excel (.xls) file or a password-protected workbook. "
        "Save it as .xlsx without a password, or as CSV, and upload that."
    )


def workbook_problem(path: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> str | None:
    """Why the ZIP archive at `path` is not a workbook we open, or None."""
    budget = min(max_unpacked, MAX_RATIO * max(path.stat().st_size, 1))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                return f"The workbook holds more than {MAX_ENTRIES:,} parts; it is not a spreadsheet we can read."
            names = {entry.filename for entry in entries}
            if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
                return (
                    "This is a ZIP archive but not an Excel workbook. "
                    "Upload the .xlsx or .csv file itself, not a ZIP of it."
                )
            total = 0
            for entry in entries:
                if entry.flag_bits & 0x1:
                    return "The workbook is password-protected; save it without a password and upload it again."
                with archive.open(entry) as stream:
                    while total <= budget and (chunk := stream.read(_CHUNK)):
                        total += len(chunk)
                if total > budget:
                    return (
                        "The workbook unpacks to far more data than a spreadsheet of its size holds "
                        "(it may be damaged or built to overload the server); it was not opened."
                    )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ):
        return "The workbook is damaged or uses a compression method we cannot read; save it again as .xlsx."
    return None
