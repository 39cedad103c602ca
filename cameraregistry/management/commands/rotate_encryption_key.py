"""Re-seal every encrypted field with the newest key and recompute lookup hashes.

Run after putting a new key first in FIELD_ENCRYPTION_KEYS (old keys after it); when it
reports no failures, the old keys can be removed. Safe to stop and run again: each batch
commits on its own and rows already on the newest key are left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cameraregistry.crypto import DecryptionError, decrypt, encrypt, encrypted_models, is_current, keys, lookup_hash
from cameraregistry.progress import Progress


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the newest FIELD_ENCRYPTION_KEYS key and recompute lookup hashes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int = 500, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.stdout.write(f"Newest key id: {keys()[0][0]} ({len(keys())} key(s) configured)")
        for model, encrypted, hashes in encrypted_models():
            checked, resealed, rehashed = self._rotate_model(model, encrypted, hashes, batch_size)
            self.stdout.write(
                f"{model._meta.label}: {checked} rows checked, {resealed} values re-encrypted, "
                f"{rehashed} lookup hashes recomputed"
            )

    def _rotate_model(self, model, encrypted, hashes, batch_size) -> tuple[int, int, int]:
        quote = connection.ops.quote_name
        pk_column = model._meta.pk.column
        columns = [field.column for field in encrypted] + [model._meta.get_field(name).column for name in hashes]
        select = (
            f"SELECT {quote(pk_column)}, {', '.join(quote(column) for column in columns)} "  # noqa: S608
            f"FROM {quote(model._meta.db_table)} WHERE {quote(pk_column)} > %s ORDER BY {quote(pk_column)} LIMIT %s"
        )
        progress = Progress(model._meta.label, model._base_manager.count(), stream=self.stderr)
        checked = resealed = rehashed = 0
        last_pk = 0 if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"} else ""
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(select, [last_pk, batch_size])
                    rows = cursor.fetchall()
                for row in rows:
                    pk, tokens, stored_hashes = row[0], row[1 : 1 + len(encrypted)], row[1 + len(encrypted) :]
                    changes: dict[str, str] = {}
                    plaintexts: dict[str, str] = {}
                    for field, token in zip(encrypted, tokens, strict=True):
                        if not token:
                            plaintexts[field.name] = ""
                            continue
                        try:
                            plaintexts[field.name] = decrypt(token)
                        except DecryptionError as error:
                            raise CommandError(
                                f"{model._meta.label} id {pk}, field {field.name}: {error} Nothing in this batch was "
                                "changed; fix or restore that value, then run the command again."
                            ) from None
                        if not is_current(token):
                            # The raw column takes the sealed token: update() would seal it again.
                            changes[field.column] = encrypt(plaintexts[field.name])
                            resealed += 1
                    for (hash_name, source), stored in zip(hashes.items(), stored_hashes, strict=True):
                        fresh = lookup_hash(plaintexts[source.name])
                        if fresh != (stored or ""):
                            changes[model._meta.get_field(hash_name).column] = fresh
                            rehashed += 1
                    if changes:
                        assignments = ", ".join(f"{quote(column)} = %s" for column in changes)
                        with connection.cursor() as cursor:
                            cursor.execute(
                                f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
                                f"WHERE {quote(pk_column)} = %s",
                                [*changes.values(), pk],
                            )
            if not rows:
                break
            checked += len(rows)
            progress.advance(len(rows))
            last_pk = rows[-1][0]
        return checked, resealed, rehashed
