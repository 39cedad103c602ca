"""The scale-out drill's checks, once the load has stopped: what locust was told was saved is saved, once;
every footage-request email went out once; every acknowledged upload is in the bucket with its hash; the
audit chain verifies. Failed requests are counted by kind, cause and the event they overlapped."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from drills.common import Load
from drills.embedded import check_saved

# A request counts as "at" an event when it overlapped [event start - 1 s, event end + SETTLE_S].
SETTLE_S = 5.0


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def when(line: dict, started: float, events: list[tuple[str, float, float]]) -> str:
    """The latest event that began before the request ended and had not settled when it began."""
    end = line["t"] - started
    begin = end - line["ms"] / 1000
    near = [(began, what) for what, began, ended in events if began - 1 <= end and begin <= ended + SETTLE_S]
    return f"at {max(near)[1]}" if near else "outside any event"


def load_figures(requests: list[dict], started: float, events) -> tuple[Load, Counter]:
    load, causes = Load(), Counter()
    for line in requests:
        if line["cause"] is None:
            load.ok(line["kind"], line["ms"] / 1000)
        else:
            load.fail(line["kind"], line["cause"])
            causes[(line["kind"], line["cause"], when(line, started, events))] += 1
    return load, causes


def edits_missing(acks: list[dict]) -> int:
    from cameraregistry.crypto import lookup_hash
    from registrations.models import Registration

    missing = 0
    for ack in acks:
        names = [r.owner_name for r in Registration.objects.filter(owner_email_hash=lookup_hash(ack["email"]))]
        missing += names != [ack["owner_name"]]
    return missing


def footage_email_counts(inbox) -> tuple[int, int, int]:
    """(email requests made during the drill, never sent, sent more than once)."""
    from footage.models import Channel, FootageRequest

    made = list(
        FootageRequest.objects.filter(case__case_number__startswith="SCALE-", channel=Channel.EMAIL).values_list(
            "public_id", flat=True
        )
    )
    never = sum(1 for public_id in made if inbox.links[str(public_id)] == 0)
    twice = sum(1 for public_id in made if inbox.links[str(public_id)] > 1)
    return len(made), never, twice


def requests_missing(acks: list[dict]) -> int:
    from footage.models import FootageRequest

    return sum(
        1 for ack in acks if not FootageRequest.objects.filter(case__case_number__iexact=ack["case_number"]).exists()
    )


def uploads_wrong(acks: list[dict], s3) -> tuple[int, int]:
    """(acknowledged uploads without exactly one evidence row of that hash, rows whose object re-reads wrong)."""
    from footage.models import EvidenceFile

    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="evidence"):
        keys |= {item["Key"] for item in page.get("Contents", [])}
    missing = wrong = 0
    for ack in acks:
        rows = list(EvidenceFile.objects.filter(request__public_id=ack["public_id"], sha256=ack["sha256"]))
        if len(rows) != 1:
            missing += 1
            continue
        key = next((k for k in keys if k == rows[0].stored_name or k.endswith("/" + rows[0].stored_name)), None)
        if key is None:
            wrong += 1
            continue
        digest = hashlib.sha256()
        for chunk in s3.get_object(Bucket="evidence", Key=key)["Body"].iter_chunks(1 << 20):
            digest.update(chunk)
        wrong += digest.hexdigest() != ack["sha256"]
    return missing, wrong


def nginx_summary(error_log: str) -> str:
    """What nginx saw of the kill: answers cut off in flight (a GET is tried again on the other app server, a
    POST is not: the client gets 502), and connections refused (passed to the other app server)."""
    cut = re.findall(
        r'(?:upstream prematurely closed|Connection reset by peer\) while reading)[^\n]*request: "(\w+)', error_log
    )
    refused = error_log.count("(111: Connection refused) while connecting to upstream")
    posts = sum(1 for method in cut if method == "POST")
    return f"{len(cut) - posts} GET / {posts} POST answers cut off in flight; {refused} connections refused"


def report(instance, inbox, s3, started: float, elapsed: float, events, notes: list[str], locust_exit, nginx) -> int:
    from drills.scaleout import SECONDS, USERS

    acks = _lines(instance.dir / "acks.jsonl")
    requests = _lines(instance.dir / "requests.jsonl")
    by_kind: dict[str, list[dict]] = {}
    for ack in acks:
        by_kind.setdefault(ack["kind"], []).append(ack)
    registrations = [a["owner"] for a in by_kind.get("registration", [])]
    reg_missing, reg_twice = check_saved(registrations)
    edits = by_kind.get("owner_edit", [])
    edit_missing = edits_missing(edits)
    made, never, twice = footage_email_counts(inbox)
    asked = by_kind.get("footage_request", [])
    asked_missing = requests_missing(asked)
    uploads = by_kind.get("upload", [])
    up_missing, up_wrong = uploads_wrong(uploads, s3)
    audit = instance.manage("verify_audit_log", check=False)
    load, causes = load_figures(requests, started, events)
    outside = sum(n for (_k, _c, at), n in causes.items() if at == "outside any event")

    people = ", ".join(f"{n} {kind}s" for kind, n in USERS.items())
    print(
        f"### Scale-out: nginx + 2 app servers + 2 workers, PostgreSQL, Redis, SeaweedFS; locust {people}, {SECONDS} s\n"
    )
    timeline = [
        f"{what} at {began:.0f} s" + (f"–{ended:.0f} s" if ended - began >= 1 else "") for what, began, ended in events
    ]
    print("Timeline: " + "; ".join(timeline + notes) + ".\n")
    print("\n".join(load.rows(elapsed)))
    print("\n| failed request | cause | when | count |\n|---|---|---|---:|")
    for (kind, cause, at), n in sorted(causes.items()):
        print(f"| {kind} | {cause} | {at} | {n} |")
    if not causes:
        print("| – | – | – | 0 |")
    rows = [
        ("registrations acknowledged / missing / saved twice", f"{len(registrations)} / {reg_missing} / {reg_twice}"),
        ("owner edits acknowledged / not in the database", f"{len(edits)} / {edit_missing}"),
        ("footage requests acknowledged / without a request saved", f"{len(asked)} / {asked_missing}"),
        ("footage-request emails due / never sent / sent twice", f"{made} / {never} / {twice}"),
        (
            "uploads acknowledged / no single row with that SHA-256 / object re-read wrong",
            f"{len(uploads)} / {up_missing} / {up_wrong}",
        ),
        (
            "nginx at the kill (GETs cut off and refused connections go to the other app server; POSTs cut off get 502)",
            nginx_summary(nginx.error_log()),
        ),
        ("`verify_audit_log`", f"exit {audit.returncode}: {audit.stdout.strip()[-100:]}"),
        ("failed requests outside the kill / restart windows", str(outside)),
        ("locust exit code", str(locust_exit)),
    ]
    print("\n| check | result |\n|---|---|")
    print("\n".join(f"| {name} | {value} |" for name, value in rows) + "\n")
    problems = [kind for kind, acked in (("registrations", registrations), ("owner edits", edits)) if not acked]
    problems += [kind for kind, acked in (("footage requests", asked), ("uploads", uploads)) if not acked]
    problems = [f"no {kind} acknowledged" for kind in problems]
    lost = reg_missing or reg_twice or edit_missing or asked_missing or never or twice or up_missing or up_wrong
    problems += ["an acknowledged write is missing, doubled or wrong"] if lost else []
    problems += [f"verify_audit_log exit {audit.returncode}"] if audit.returncode else []
    problems += [f"locust exit {locust_exit}"] if locust_exit else []
    print(("FAILED: " + "; ".join(problems)) if problems else "All scale-out checks passed.")
    print()
    return 1 if problems else 0
