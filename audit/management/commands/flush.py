"""`flush` that also works on the append-only audit table.

Flushing erases the whole database on purpose (development, and the teardown of
transactional tests), so the append-only triggers are lifted for that one
transaction and put back before it commits.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from audit import guards


class Command(flush.Command):
    def handle(self, **options) -> None:
        connection = connections[options["database"]]
        if guards.TABLE not in connection.introspection.table_names():
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            guards.remove(connection)
            super().handle(**options)
            guards.install(connection)
