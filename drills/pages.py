"""Reading pages as a browser submits them, for the scale-out drill's load (drills/locustfile.py): the fields
of a form, the authenticator's code, the mail the drill's SMTP server dropped. No locust here: importing
locust monkey-patches the process (gevent), so the tests import this module instead."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time
from html.parser import HTMLParser
from pathlib import Path


class Cause(Exception):
    """Why a request counts as failed, in a word or two ("HTTP 502", "form refused")."""


class Form(HTMLParser):
    """The fields of the forms on a page as a browser would submit them: [(action, [(name, value), …])]."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.forms[-1][1].append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.forms[-1][1].extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1][1].append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None

    def fields(self, action_part: str = "") -> list[tuple[str, str]]:
        """The first form (not the language switch or sign-out) whose action contains `action_part`."""
        for action, fields in self.forms:
            if action_part not in action or "/i18n/" in action or "sign-out" in action:
                continue
            if any(name == "csrfmiddlewaretoken" for name, _ in fields):
                return fields
        raise Cause(f"no form for {action_part or 'this page'}")


def totp(key_hex: str, step: int, t0: int, digits: int) -> str:
    """The authenticator's current code (RFC 6238, as django-otp's TOTP devices check it)."""
    counter = int((time.time() - t0) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def mailbox(folder: Path, recipient: str) -> Path:
    """Where the drill's SMTP server drops the messages for `recipient`."""
    return folder / re.sub(r"[^\w@.+-]", "_", recipient.lower())


def mail_for(folder: Path, recipient: str) -> list[Path]:
    """The messages dropped for `recipient`, oldest first."""
    box = mailbox(folder, recipient)
    return sorted(box.glob("*.txt")) if box.is_dir() else []
