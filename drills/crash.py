"""Crash mid-work: kill -9 during an import, a backup and email sending; on restart nothing is half-saved,
nothing duplicated, and the work resumes (run again, or retry_unsent_email + the worker)."""

from __future__ import annotations

import csv
import logging
import os
import signal
import sys
import time
from collections import Counter

from aiosmtpd.controller import Controller

from drills.common import SHORT, Instance, free_port
from drills.crash_upload import drill_upload

IMPORT_ROWS = 20_000
EMAILS = 60 if SHORT else 200
HEADERS = ["Timestamp", "Name", "Address", "Phone", "Email", "Camera Locations", "How many days of footage are kept?"]


def kill9(process) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def drill_import(instance: Instance) -> list[str]:

    from agencies.models import Agency
    from agencies.selectors import agency_for_point
    from registrations.models import AddressPoint, Registration

    maple = Agency.objects.get(slug="maple-falls")
    points = AddressPoint.objects.order_by("id")[:3000]
    addresses = [p.address for p in points if agency_for_point(p.latitude, p.longitude) == maple]
    path = instance.dir / "import-20000.csv"
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        for n in range(IMPORT_ROWS):
            phone = f"{708 if n < 10_000 else 312}-555-{n % 10_000:04d}"
            row = [
                "2024-01-15 10:22:01",
                f"Imported Owner {n}",
                addresses[n % len(addresses)],
                phone,
                "",
                "Front",
                "14",
            ]
            writer.writerow(row)
    before = Registration.objects.count()
    args = ("import_registrations", str(path), "--agency", "maple-falls")
    process = instance.manage_background(*args, log="import.log")
    log, deadline = instance.dir / "import.log", time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline and "Saving:" not in log.read_text(errors="replace"):
        time.sleep(0.02)  # kill once it is writing rows
    finished_first = process.poll() is not None
    if not finished_first:
        kill9(process)
    after_kill = Registration.objects.count() - before
    # The killed run leaves its "import running" marker; its process is gone, so it no longer blocks.
    rerun = instance.manage(*args, check=False, timeout=1800)
    report_path = instance.dir / "import-20000.csv.report.csv"
    refused = rerun.returncode != 0 and report_path.exists() and "already running" in report_path.read_text()
    after_rerun = Registration.objects.count() - before
    whole = not finished_first and after_kill in (0, after_rerun) and after_rerun == IMPORT_ROWS and not refused
    return [
        f"| import of {IMPORT_ROWS:,} rows | {'(finished first!)' if finished_first else 'mid-import'}"
        f" | {after_kill:,} registrations after the kill; run again at once: "
        f"{'REFUSED (the killed run still blocks)' if refused else 'ran'}, {after_rerun:,} registrations"
        f" | {'ok' if whole else 'HALF-SAVED or blocked'} |"
    ]


def drill_backup(instance: Instance) -> list[str]:
    from cameraregistry.backups import manifest_verify

    destination = instance.dir / "backups"
    destination.mkdir()
    process = instance.manage_background("backup", "--dest", str(destination), log="backup.log")
    deadline = time.monotonic() + 60
    while not list(destination.glob("backup-*.partial")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    caught = process.poll() is None
    if caught:
        kill9(process)
    left = sorted(p.name for p in destination.iterdir())
    unfinished = [
        p for p in destination.glob("backup-*") if p.suffix != ".partial" and not (p / "manifest.json").exists()
    ]
    instance.manage("backup", "--dest", str(destination))
    complete = [p for p in destination.glob("backup-*") if p.suffix != ".partial"]
    verified = bool(complete) and all(manifest_verify(p) for p in complete)
    good = caught and not unfinished and verified
    return [
        f"| backup | killed {'while writing' if caught else '(finished first!)'} | left: {', '.join(left) or 'nothing'};"
        f" the next backup verified: {verified} | {'ok' if good else 'FOLDER WITHOUT MANIFEST'} |"
    ]


class Inbox:
    def __init__(self) -> None:
        self.recipients: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        for recipient in envelope.rcpt_tos:
            self.recipients[recipient] += 1
        return "250 OK"


def drill_email(instance: Instance, inbox: Inbox) -> list[str]:
    from django.db import transaction

    from notifications.models import OutboxEmail
    from notifications.services import email_queue
    from owners import emails

    with transaction.atomic():
        for n in range(EMAILS):
            context = {"agency_name": "Maple Falls Police Department"}
            email_queue(template=emails.WITHDRAWN, to=f"drill{n}@example.com", context=context)
    worker = instance.manage_background("run_worker", "--interval", "0.2", "--no-reload", log="worker.log")
    deadline = time.monotonic() + 120
    while sum(inbox.recipients.values()) < EMAILS // 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    received_at_kill = sum(inbox.recipients.values())
    kill9(worker)
    # Accepted by the mail server but not yet recorded as sent: the email the worker was killed sending (its
    # transaction never committed). Retrying it may send it again; no design can tell whether it arrived.
    in_flight = {
        row.recipient
        for row in OutboxEmail.objects.filter(sent_at__isnull=True)
        if row.recipient and inbox.recipients[row.recipient] > 0
    }
    instance.manage("retry_unsent_email")
    worker = instance.manage_background("run_worker", "--interval", "0.2", "--no-reload", log="worker.log")
    deadline = time.monotonic() + 300
    while OutboxEmail.objects.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # anything still in flight
    kill9(worker)
    wanted = {f"drill{n}@example.com" for n in range(EMAILS)}
    missing = sum(1 for r in wanted if inbox.recipients[r] == 0)
    twice = {r for r in wanted if inbox.recipients[r] > 1}
    good = missing == 0 and twice <= in_flight and len(in_flight) <= 1  # one worker: at most one in flight
    return [
        f"| email sending ({EMAILS} in the outbox) | worker killed after {received_at_kill} reached the SMTP server"
        f" ({len(in_flight)} accepted by it but not yet recorded as sent)"
        f" | missing {missing}, sent twice {len(twice)} after retry_unsent_email + worker"
        f"{' (only the email in flight at the kill)' if twice and good else ''}"
        f" | {'ok' if good else 'LOST OR DUPLICATED'} |"
    ]


def main() -> int:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command lines
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    instance = Instance("crash", EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    instance.activate()
    instance.prepare()
    rows = ["| work | kill -9 | on restart | result |", "|---|---|---|---|"]
    try:
        for drill in (drill_import, drill_upload, drill_backup):
            rows += drill(instance)
        rows += drill_email(instance, inbox)
    finally:
        instance.stop()
        smtp.stop()
    print("### Crash mid-work (SQLite, one process killed with SIGKILL at a time)\n")
    print("\n".join(rows) + "\n")
    instance.remove()
    return 0 if all(row.endswith("| ok |") for row in rows[2:]) else 1


if __name__ == "__main__":
    sys.exit(main())
