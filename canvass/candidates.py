"""Which cameras a canvass search reads, and what the pages show of them: the candidate query over the
registration_canvass_strip index (built by the ORM, prepared once per shape), rows read straight from the
cursor. Everything here narrows a queryset it is given; who may search what is canvass.selectors' question
(through registrations_for, the access chokepoint)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import BooleanField, Expression, ExpressionWrapper, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Floor

from cameraregistry import geo
from cameraregistry.gc_pause import cyclic_gc_paused
from cameraregistry.geo.plane import LocalPlane
from canvass.ranking import PLANE_MARGIN_M, POLYGON, RADIUS, ROUTE, CameraFacts, SearchArea
from registrations.models import LATITUDE_STRIPS_PER_DEGREE, Registration, Status

# Paused owners asked not to be contacted for now; rejected registrations are not part of the program.
SEARCHABLE_STATUSES = (Status.ACTIVE, Status.PENDING, Status.STALE)


# Not frozen, like ranking.CameraFacts: a frozen dataclass costs microseconds per instance, a search builds a
# thousand; nothing changes one after it is read.
@dataclass(eq=False)
class CameraDetails:
    """What the results page, sheet and exports show about a camera beyond its ranking facts."""

    camera_id: int
    registration_id: int
    registration_public_id: str
    agency_id: int
    status: str
    street_address: str
    unit: str
    business_name: str
    description: str
    locations: tuple[str, ...]
    exports_common_format: str
    brand: str

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.unit}" if self.unit else self.street_address


# What ranking needs, and nothing else: a search reads these for every camera in the box.
FACT_COLUMNS = (
    "id",
    "latitude",
    "longitude",
    "cameras__id",
    "cameras__records_street",
    "cameras__bearing_degrees",
    "cameras__field_of_view_degrees",
    "cameras__range_m",
    "cameras__retention_days",
    "last_confirmed_at",
    # Annotation last: the SQL lists annotations after fields, and rows are read straight from the cursor.
    "verified",
)
# What the page, sheet and exports show; read once, only when they ask.
_DETAIL_COLUMNS = (
    "cameras__id",
    "id",
    "public_id",
    "agency_id",
    "status",
    "street_address",
    "unit",
    "business_name",
    "cameras__description",
    "cameras__locations",
    "cameras__exports_common_format",
    "cameras__brand",
)
_DETAIL_REGISTRATION_ID = _DETAIL_COLUMNS.index("id")
# Beyond this many latitude strips (a long north-south route) one box range is as good as many strip ranges.
_MOST_STRIPS = 64


def area_bounding_box(area: SearchArea) -> geo.BBox:
    """A box certain to contain every registration the area can include."""
    if area.kind == POLYGON:
        return geo.bounding_box(area.vertices)
    if area.kind == ROUTE:
        return geo.expand_bbox(*geo.bounding_box(area.vertices), area.corridor_m)
    return geo.bbox_around(*area.place, area.radius_m)


class _Literal(Value):
    """A number written into the SQL itself: the database matches an expression index only on identical text."""

    def as_sql(self, compiler, connection):
        return repr(self.value), []


# The same expression as the registration_canvass_strip index, so both databases read that index.
_STRIP = Floor(F("latitude") * _Literal(LATITUDE_STRIPS_PER_DEGREE), output_field=FloatField())


def _strips(min_lat: float, max_lat: float) -> list[float]:
    # Same double arithmetic as the database: FLOOR is monotonic, so every latitude in the box lands in one of these.
    first = math.floor(min_lat * LATITUDE_STRIPS_PER_DEGREE)
    last = math.floor(max_lat * LATITUDE_STRIPS_PER_DEGREE)
    return [float(strip) for strip in range(first, last + 1)]


class _PlaneDistanceSquared(Func):
    """Squared metres from a place on ranking's local plane, as one SQL expression.

    One node instead of a tree of a dozen: building the search's query in the ORM would otherwise cost more than
    running it.
    """

    output_field = FloatField()

    def __init__(self, place: tuple[float, float]) -> None:
        super().__init__(F("latitude"), F("longitude"))
        plane = LocalPlane(*place)
        self.constants = (place[0], plane.metres_per_degree_lat, place[1], plane.metres_per_degree_lon)

    def as_sql(self, compiler, connection, **extra_context):
        latitude_sql, latitude_params = compiler.compile(self.source_expressions[0])
        longitude_sql, longitude_params = compiler.compile(self.source_expressions[1])
        lat0, metres_per_degree_lat, lon0, metres_per_degree_lon = self.constants
        north, east = f"(({latitude_sql} - %s) * %s)", f"(({longitude_sql} - %s) * %s)"
        north_params = (*latitude_params, lat0, metres_per_degree_lat)
        east_params = (*longitude_params, lon0, metres_per_degree_lon)
        return f"({north} * {north} + {east} * {east})", (*north_params, *north_params, *east_params, *east_params)


def in_area_box(registrations: QuerySet, area: SearchArea) -> QuerySet:
    """Searchable registrations with cameras inside the area's box (for a radius, inside the circle's reach).

    Narrowed by latitude strip and longitude so each strip is one short range of the registration_canvass_strip
    index, instead of a whole latitude band across the metro on the (latitude, longitude) index.
    """
    min_lat, min_lon, max_lat, max_lon = area_bounding_box(area)
    aliases: dict[str, Expression] = {}
    conditions = Q(
        status__in=SEARCHABLE_STATUSES,
        latitude__gte=min_lat,
        latitude__lte=max_lat,
        longitude__gte=min_lon,
        longitude__lte=max_lon,
        cameras__id__isnull=False,
    )
    if area.kind == RADIUS:
        # Drops the box's corners in the database, a fifth of the rows. Ranking measures on this same plane and
        # never accepts a point farther than radius + PLANE_MARGIN_M on it, so a metre beyond that loses nothing.
        reach = area.radius_m + PLANE_MARGIN_M + 1.0
        aliases["plane_m2"] = _PlaneDistanceSquared(area.place)
        conditions &= Q(plane_m2__lte=reach * reach)
    strips = _strips(min_lat, max_lat)
    if len(strips) <= _MOST_STRIPS:
        aliases["strip"] = _STRIP
        conditions &= Q(strip__in=strips)
    return registrations.alias(**aliases).filter(conditions).order_by()


class CameraDetailsLookup(Mapping):
    """Camera id → CameraDetails for one search, read in one query the first time anything is looked up.

    Ranking never needs these, so a search that is only ranked (the bench, a count) never reads them.
    """

    def __init__(
        self, registrations: QuerySet, area: SearchArea, searched_agency_ids: Iterable[int] | None = None
    ) -> None:
        self._registrations = registrations
        self._area = area
        self._loaded: dict[int, CameraDetails] | None = None
        # Registration id -> its notes for detectives, for the registrations a page read (of_registrations).
        self._notes: dict[int, str] = {}
        # The agencies whose registrations the search read (the access rule's answer), when known.
        self.searched_agency_ids = None if searched_agency_ids is None else frozenset(searched_agency_ids)

    def _read(self, registrations: QuerySet, with_notes: bool = False) -> dict[int, CameraDetails]:
        """The details of these registrations' cameras; with_notes also keeps their notes for notes_of (one
        page: the notes of hundreds of addresses are not read to show fifty)."""
        columns = (*_DETAIL_COLUMNS, "notes_for_detectives") if with_notes else _DETAIL_COLUMNS
        query = registrations.values_list(*columns).query
        database = self._registrations.db
        try:
            sql, params = query.get_compiler(database).as_sql()
        except EmptyResultSet:  # registrations_for answered none(): nothing to read
            return {}
        with connections[database].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not with_notes:
            return camera_details(rows)
        notes = self._notes
        for row in rows:
            notes[row[_DETAIL_REGISTRATION_ID]] = row[-1]
        return camera_details(row[:-1] for row in rows)

    def _load(self) -> dict[int, CameraDetails]:
        if self._loaded is None:
            self._loaded = self._read(in_area_box(self._registrations, self._area))
        return self._loaded

    def of_registrations(self, registration_ids: Iterable[int]) -> dict[int, CameraDetails]:
        """Camera id → CameraDetails for these registrations only (one page of results), without reading the
        rest of the area; from what is already read when everything is."""
        wanted = {int(registration_id) for registration_id in registration_ids}
        if self._loaded is not None:
            return {key: detail for key, detail in self._loaded.items() if detail.registration_id in wanted}
        if not wanted:
            return {}
        return self._read(
            self._registrations.filter(
                pk__in=sorted(wanted), status__in=SEARCHABLE_STATUSES, cameras__id__isnull=False
            ).order_by(),
            with_notes=True,
        )

    def notes_of(self, registration_ids: Iterable[int]) -> dict[int, str]:
        """The notes the owners of these registrations left for detectives (those the search may read)."""
        wanted = sorted({int(registration_id) for registration_id in registration_ids})
        if not wanted:
            return {}
        if all(registration_id in self._notes for registration_id in wanted):  # read with the page's details
            return {key: self._notes[key] for key in wanted if self._notes[key]}
        return dict(
            self._registrations.filter(pk__in=wanted)
            .exclude(notes_for_detectives="")
            .order_by()
            .values_list("pk", "notes_for_detectives")
        )

    def __getitem__(self, camera_id: int) -> CameraDetails:
        return self._load()[camera_id]

    # Straight to the dict: Mapping's own get and `in` go through __getitem__ and a raised KeyError each.
    def get(self, camera_id: int, default=None):
        return self._load().get(camera_id, default)

    def __contains__(self, camera_id: object) -> bool:
        return camera_id in self._load()

    def __iter__(self) -> Iterator[int]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _public_id(value: object) -> str:
    # SQLite hands back the 32 hex digits Django stored, PostgreSQL's driver a UUID: both as Django reads them.
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _json_list(value: object) -> tuple[str, ...]:
    """A JSON list column as JSONField reads it (text decoded; a value that is not JSON stays as it is)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
    return tuple(value) if isinstance(value, list | tuple) else ()


def camera_details(rows: Iterable[tuple]) -> dict[int, CameraDetails]:
    """Camera id -> CameraDetails from rows in _DETAIL_COLUMNS order, read straight from the cursor.

    Django's per-row converters (a UUID object per row, a JSON decode per camera) cost three times the query; the
    same values are read here once per registration and once per distinct list of locations.
    """
    registrations: dict[int, tuple[str, int, str, str, str, str]] = {}
    locations_read: dict[object, tuple[str, ...]] = {}
    details: dict[int, CameraDetails] = {}
    for (
        camera_id,
        registration_id,
        public_id,
        agency_id,
        status,
        street_address,
        unit,
        business_name,
        description,
        locations,
        exports_common_format,
        brand,
    ) in rows:
        shared = registrations.get(registration_id)
        if shared is None:
            shared = registrations[registration_id] = (
                _public_id(public_id),
                agency_id,
                str(status),
                street_address,
                unit,
                business_name,
            )
        key = locations if isinstance(locations, str) else None
        labels = locations_read.get(key) if key is not None else None
        if labels is None:
            labels = _json_list(locations)
            if key is not None:
                locations_read[key] = labels
        details[camera_id] = CameraDetails(
            camera_id, registration_id, *shared, description, labels, exports_common_format, brand
        )
    return details


def camera_facts(
    rows: Iterable[tuple], read_datetime: Callable[[object], datetime | None] | None = None
) -> list[CameraFacts]:
    """CameraFacts from rows in FACT_COLUMNS order (read_datetime, when given, reads last_confirmed_at)."""
    facts = [
        CameraFacts(
            camera_id,
            registration_id,
            latitude,
            longitude,
            retention_days,
            bool(records_street),
            bearing,
            field_of_view,
            range_m,
            bool(verified),
            last_confirmed_at,
        )
        for (
            registration_id,
            latitude,
            longitude,
            camera_id,
            records_street,
            bearing,
            field_of_view,
            range_m,
            retention_days,
            last_confirmed_at,
            verified,
        ) in rows
    ]
    if read_datetime is not None:
        for fact in facts:
            fact.last_confirmed_at = read_datetime(fact.last_confirmed_at)
    return facts


def _datetime_reader(database: str) -> Callable[[object], datetime | None]:
    """Reads a timestamp column as Django would, for rows fetched without Django's per-row converters.

    SQLite hands back the naive time Django wrote in the connection's time zone (text, or a datetime where the
    driver parses the declared type); PostgreSQL's driver returns aware datetimes. The cameras of a registration
    share its timestamp, so each distinct value is parsed once.
    """
    zone = connections[database].timezone if settings.USE_TZ else None
    parsed_values: dict[object, datetime] = {}

    def read(value: object) -> datetime | None:
        if value is None:
            return None
        parsed = parsed_values.get(value)
        if parsed is None:
            parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            if zone is not None and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=zone)
            parsed_values[value] = parsed
        return parsed

    return read


def facts_from_sql(sql: str, parameters: Sequence, database: str = "default") -> list[CameraFacts]:
    """CameraFacts from a query whose rows are in FACT_COLUMNS order, read straight from the cursor.

    Django's per-row converters (booleans, SQLite datetimes) cost more than the query itself. On PostgreSQL
    the rows come in binary through psycopg's compiled loaders (_binary_cursor). The prepared canvass query runs
    here, and so does the bench's PostGIS query, so the two are read alike.
    """
    with cyclic_gc_paused():
        rows, binary = rows_from_sql(sql, parameters, database)
        return camera_facts(rows) if binary else camera_facts(rows, _datetime_reader(database))


def rows_from_sql(sql: str, parameters: Sequence, database: str = "default") -> tuple[list, bool]:
    """The query's rows, and whether they came in binary (PostgreSQL: aware datetimes already)."""
    connection = connections[database]
    if connection.vendor == "postgresql" and settings.USE_TZ:
        with _binary_cursor(connection) as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall(), True
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall(), False


def _binary_cursor(connection):
    """A Django cursor (query logging, execute wrappers, error wrapping kept) over a psycopg cursor that binds
    parameters on the server and reads results in binary.

    Django's default client-side cursor reads text, and its timestamptz loader re-parses every timestamp in
    Python: at 1,000 m that was a third of the search. Binary floats, integers and booleans load in C, and
    psycopg's own binary timestamptz loader gives the same aware UTC datetimes as Django's (with USE_TZ the
    session runs in UTC). Its statements are prepared on the server (settings: prepare_threshold 0, which only
    server-side binding cursors like this one heed): the canvass query is planned once per shape (agencies,
    strips), where planning it each time cost more than running it at 150 m. PostgreSQL's plan cache still
    plans the first five runs for their own numbers and keeps a generic plan only when it costs no more.
    """
    import psycopg
    from psycopg.types.datetime import TimestamptzBinaryLoader

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = psycopg.Cursor(connection.connection)
    raw.format = psycopg.pq.Format.BINARY
    raw.adapters.register_loader("timestamptz", TimestamptzBinaryLoader)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def facts_of(registrations: QuerySet) -> list[CameraFacts]:
    """CameraFacts for every camera of these registrations, reading only the columns ranking needs.

    The ORM builds the query (so the access chokepoint's filters stay); facts_from_sql reads the rows.
    """
    query = (
        registrations.annotate(
            verified=ExpressionWrapper(Q(verified_at__isnull=False, status=Status.ACTIVE), output_field=BooleanField())
        )
        .values_list(*FACT_COLUMNS)
        .query
    )
    if (*query.extra_select, *query.values_select, *query.annotation_select) != FACT_COLUMNS:
        raise ImproperlyConfigured("FACT_COLUMNS must list fields first, then the annotation.")
    sql, params = query.get_compiler(registrations.db).as_sql()
    return facts_from_sql(sql, params, registrations.db)


def candidate_cameras(registrations: QuerySet, area: SearchArea) -> tuple[list[CameraFacts], CameraDetailsLookup]:
    """Cameras of the given registrations inside the area's box, and their details (read on demand).

    `registrations` must come from the access chokepoint; this only narrows it further.
    """
    return facts_of(in_area_box(registrations, area)), CameraDetailsLookup(registrations, area)


# ---- The prepared search: the candidate query built once per shape, run with new numbers -----------------
#
# Building the ORM query cost more than running it on a small search (~1.4 ms a search). Its SQL depends only on
# the database, how many agencies may be searched, whether the area is a radius and how many latitude strips it
# spans: that text is compiled once by the ORM (the same in_area_box and facts_of as above, so the same filters
# and the index-matching strip expression) and kept; each search computes only its parameters. The first use of
# each shape checks that those parameters are exactly the ORM's, so the two can never drift apart.


@dataclass(frozen=True)
class _PreparedShape:
    database: str
    agencies: int
    radius: bool
    strips: int  # 0: too many strips, one box range instead


_PREPARED_SQL: dict[_PreparedShape, str] = {}


def _facts_query(registrations: QuerySet, area: SearchArea):
    query = (
        in_area_box(registrations, area)
        .annotate(
            verified=ExpressionWrapper(Q(verified_at__isnull=False, status=Status.ACTIVE), output_field=BooleanField())
        )
        .values_list(*FACT_COLUMNS)
        .query
    )
    if (*query.extra_select, *query.values_select, *query.annotation_select) != FACT_COLUMNS:
        raise ImproperlyConfigured("FACT_COLUMNS must list fields first, then the annotation.")
    return query


def _prepared_parameters(agency_ids: list[int], area: SearchArea, strips: list[float]) -> list:
    """The candidate query's parameters, in the order of the SQL the ORM writes for _facts_query."""
    min_lat, min_lon, max_lat, max_lon = area_bounding_box(area)
    parameters: list = [str(Status.ACTIVE), *agency_ids, min_lat, max_lat, min_lon, max_lon]
    parameters += [str(status) for status in SEARCHABLE_STATUSES]
    if area.kind == RADIUS:
        plane = LocalPlane(*area.place)
        north = (area.place[0], plane.metres_per_degree_lat)
        east = (area.place[1], plane.metres_per_degree_lon)
        reach = area.radius_m + PLANE_MARGIN_M + 1.0
        parameters += [*north, *north, *east, *east, reach * reach]
    return parameters + strips


def _plain(value: object) -> object:
    return str(value) if isinstance(value, str) else value


def prepared_facts(agency_ids: Iterable[int], area: SearchArea, database: str = "default") -> list[CameraFacts]:
    """CameraFacts for the searchable cameras in the area's box, of these agencies only.

    `agency_ids` must be accounts.access.agencies_visible_to's answer for the searcher (what registrations_for
    narrows to): the prepared query filters by exactly that list.
    """
    query = prepared_query(agency_ids, area, database)
    return [] if query is None else facts_from_sql(*query, database)


def prepared_query(agency_ids: Iterable[int], area: SearchArea, database: str = "default") -> tuple[str, list] | None:
    """prepared_facts' SQL and parameters (None for no agencies): the SQL built once per shape."""
    ids = [int(agency_id) for agency_id in agency_ids]
    if not ids:
        return None
    min_lat, _min_lon, max_lat, _max_lon = area_bounding_box(area)
    strips = _strips(min_lat, max_lat)
    if len(strips) > _MOST_STRIPS:
        strips = []
    shape = _PreparedShape(database, len(ids), area.kind == RADIUS, len(strips))
    parameters = _prepared_parameters(ids, area, strips)
    sql = _PREPARED_SQL.get(shape)
    if sql is None:
        registrations = Registration.objects.using(database).filter(agency_id__in=ids)
        sql, orm_parameters = _facts_query(registrations, area).get_compiler(database).as_sql()
        if [_plain(value) for value in orm_parameters] != parameters:
            raise ImproperlyConfigured("The prepared canvass query's parameters differ from the ORM's.")
        _PREPARED_SQL[shape] = sql
    return sql, parameters
