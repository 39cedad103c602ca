"""What a file's first bytes say it is: the allow-list of video and DVR export formats.

Used on every upload (footage.uploads) and on every entry of an uploaded ZIP (footage.contents).
"""

from __future__ import annotations

_TS_PACKET = 188
_M2TS_PACKET = 192


def detect_video_type(head: bytes) -> str | None:
    """Name of the allowed format the first bytes belong to, or None.

    Besides the common containers, two DVR exports are recognised: Dahua '.dav'
    (starts with 'DHAV') and Hikvision raw recordings (start with 'IMKH').
    """
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "MP4/MOV"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "QuickTime MOV"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "Matroska/WebM"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "ASF/WMV"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "MPEG program stream"
    if head.startswith(b"DHAV"):
        return "Dahua DVR (.dav)"
    if head.startswith(b"IMKH"):
        return "Hikvision DVR"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP archive"
    if _sync_bytes_every(head, 0, _TS_PACKET):
        return "MPEG transport stream"
    if _sync_bytes_every(head, 4, _M2TS_PACKET):
        return "MPEG transport stream (M2TS)"
    if head.startswith(b"\x00\x00\x00\x01") and len(head) > 4 and head[4] & 0x80 == 0:
        return "H.264 raw stream (DVR)"
    return None


def _sync_bytes_every(head: bytes, offset: int, packet: int) -> bool:
    # Three packets' worth of sync bytes, or all a shorter file has, but never just one.
    positions = range(offset, min(len(head), offset + 3 * packet), packet)
    return len(positions) >= 2 and all(head[position] == 0x47 for position in positions)
