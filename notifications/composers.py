"""What an email needs that only exists at sending time.

Most emails are sent as queued: recipient, template and context. Some need the sending moment:
a private link issued inside the sending transaction (so a failed send leaves no live link), the
owner's current address, a check that sharing has not ended. The app that owns such an email
registers a composer for its template (from its AppConfig.ready), and the task calls it; this
module knows nothing of those apps, so imports keep pointing downward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import OutboxEmail


@dataclass(frozen=True)
class Prepared:
    """Who receives the email and the full template context."""

    to: str
    context: dict


# prepare returns Prepared, or a short reason (str) when there is nobody left to write to.
Prepare = Callable[["OutboxEmail"], "Prepared | str"]
OnSent = Callable[["OutboxEmail", datetime], None]


@dataclass(frozen=True)
class Composer:
    prepare: Prepare
    on_sent: OnSent | None = None


def _as_queued(message: OutboxEmail) -> Prepared | str:
    if not message.recipient:
        return "nobody to send to"
    return Prepared(to=message.recipient, context=dict(message.context))


_PLAIN = Composer(prepare=_as_queued)
_COMPOSERS: dict[str, Composer] = {}


def composer_register(template: str, *, prepare: Prepare, on_sent: OnSent | None = None) -> None:
    _COMPOSERS[template] = Composer(prepare=prepare, on_sent=on_sent)


def composer_for(template: str) -> Composer:
    return _COMPOSERS.get(template, _PLAIN)
