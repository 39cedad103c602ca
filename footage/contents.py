"""What a received footage file holds, beyond its first bytes: names that contradict the
detected type, and ZIP archives opened and checked entry by entry.

A ZIP is accepted only when every entry is itself an allowed video format (same magic-byte
allow-list as plain uploads), none is another archive, and the whole decompresses to no more
than the upload limit and no more than MAX_RATIO times the archive's size (zip bombs). Sizes
are counted while decompressing, not taken from the archive's own (forgeable) directory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from footage.video_types import detect_video_type

MAX_RATIO = 100
MAX_ENTRIES = 1000
_CHUNK = 1024 * 1024
ZIP_TYPE = "ZIP archive"

# Extensions that name one of the allowed formats; a file named so must be of that format.
_EXTENSIONS = {
    "MP4/MOV": {"mp4", "m4v", "mov", "qt", "3gp", "3g2"},
    "QuickTime MOV": {"mov", "qt", "mp4", "m4v"},
    "AVI": {"avi"},
    "Matroska/WebM": {"mkv", "webm", "mk3d"},
    "ASF/WMV": {"asf", "wmv"},
    "MPEG program stream": {"mpg", "mpeg", "vob", "ps", "dav"},
    "Dahua DVR (.dav)": {"dav"},
    # Hikvision players export raw recordings under .mp4 too.
    "Hikvision DVR": {"mp4", "h264", "264", "hik"},
    ZIP_TYPE: {"zip"},
    "MPEG transport stream": {"ts", "mts", "m2ts", "trp", "tp"},
    "MPEG transport stream (M2TS)": {"ts", "mts", "m2ts"},
    "H.264 raw stream (DVR)": {"h264", "264", "dav"},
}
_VIDEO_EXTENSIONS = set().union(*_EXTENSIONS.values())
# Names that say "not a video" (pages, programs, documents, other archives).
_OTHER_EXTENSIONS = {
    *("html", "htm", "xhtml", "svg", "js", "mjs", "css", "xml", "php", "asp", "aspx", "jsp"),
    *("exe", "dll", "com", "bat", "cmd", "scr", "msi", "ps1", "sh", "jar", "apk", "app", "vbs"),
    *("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "rtf", "txt", "csv"),
    *("rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "iso"),
}
_ARCHIVE_EXTENSIONS = {"zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "iso"}


def contents_problem(path: Path | None, name: str, detected: str, *, max_bytes: int) -> str | None:
    """Why a completely received file is refused after all, or None."""
    problem = extension_problem(name, detected)
    if problem is None and detected == ZIP_TYPE:
        problem = zip_problem(path, max_bytes=max_bytes)
    return problem


def extension_problem(name: str, detected: str) -> str | None:
    """A reason when the file name's extension says something other than the detected type."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if not extension or extension in _EXTENSIONS.get(detected, set()):
        return None
    if extension in _VIDEO_EXTENSIONS or extension in _OTHER_EXTENSIONS:
        return _("The name ends in .%(extension)s but the file is really %(type)s; send it with its real name.") % {
            "extension": extension,
            "type": detected,
        }
    return None


def zip_problem(path: Path, *, max_bytes: int) -> str | None:
    """A reason to refuse the ZIP archive at `path`, or None when every entry is acceptable video."""
    archive_size = max(path.stat().st_size, 1)
    budget = min(max_bytes, MAX_RATIO * archive_size)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = [entry for entry in archive.infolist() if not entry.is_dir()]
            if not entries:
                return _("This ZIP archive holds no files.")
            if len(entries) > MAX_ENTRIES:
                return _("This ZIP archive holds more than %(count)d files.") % {"count": MAX_ENTRIES}
            total = 0
            for entry in entries:
                name = entry.filename.replace("\\", "/").split("/")[-1]
                if entry.flag_bits & 0x1:
                    return _("%(name)s in the ZIP archive is password-protected; send it without a password.") % {
                        "name": name
                    }
                with archive.open(entry) as stream:
                    head = stream.read(1024)
                    detected = detect_video_type(head)
                    if detected == ZIP_TYPE or name.rpartition(".")[2].lower() in _ARCHIVE_EXTENSIONS:
                        return _("%(name)s is an archive inside the ZIP archive; send the videos themselves.") % {
                            "name": name
                        }
                    if detected is None:
                        return _("%(name)s in the ZIP archive is not a video file we can accept.") % {"name": name}
                    problem = extension_problem(name, detected)
                    if problem:
                        return f"{name}: {problem}"
                    total += len(head)
                    while total <= budget and (chunk := stream.read(_CHUNK)):
                        total += len(chunk)
                    if total > budget:
                        return _too_big(max_bytes, total > max_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        return _("This ZIP archive is damaged or uses a method we cannot read.")
    return None


def _too_big(max_bytes: int, over_limit: bool) -> str:
    if over_limit:
        return _("Unpacked, this ZIP archive would be larger than the %(limit)s MB limit.") % {
            "limit": max_bytes // (1024 * 1024)
        }
    return _("This ZIP archive unpacks to more than %(ratio)d times its size; it cannot be accepted.") % {
        "ratio": MAX_RATIO
    }
