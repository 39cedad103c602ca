"""Geodesics on the WGS84 ellipsoid, solved by geographiclib.

geographiclib (Karney's algorithms) is accurate to a few nanometres for any
pair of points, nearly antipodal ones included, so nothing here needs a
fallback. Distances are metres; bearings are degrees clockwise from true north
in [0, 360).
"""

from __future__ import annotations

from collections.abc import Iterable

from geographiclib.geodesic import Geodesic

from cameraregistry.geo.angles import normalise_bearing, wrap180
from cameraregistry.geo.validation import LatLon, non_negative, number, validate_point

WGS84 = Geodesic.WGS84
# Asking only for what is used saves geographiclib the reduced length and scale terms.
_INVERSE = Geodesic.DISTANCE | Geodesic.AZIMUTH
_DIRECT = Geodesic.LATITUDE | Geodesic.LONGITUDE


def inverse(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """(distance, forward azimuth) between two already validated points; azimuth 0 for the same point."""
    result = WGS84.Inverse(lat1, lon1, lat2, lon2, _INVERSE)
    distance = result["s12"]
    if distance == 0:
        return 0.0, 0.0
    return distance, normalise_bearing(result["azi1"])


def direct(lat: float, lon: float, azimuth: float, distance: float) -> LatLon:
    """The point distance metres along the geodesic leaving an already validated point at azimuth."""
    result = WGS84.Direct(lat, lon, azimuth, distance, _DIRECT)
    return result["lat2"], wrap180(result["lon2"])


def ring_area_m2(ring: Iterable[LatLon]) -> float:
    """Area enclosed by an open ring of geodesic edges, whichever way round it goes."""
    polygon = WGS84.Polygon()
    for lat, lon in ring:
        polygon.AddPoint(lat, lon)
    _count, _perimeter, area = polygon.Compute(False, True)
    return abs(area)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres between two points on the WGS84 ellipsoid."""
    lat1, lon1 = validate_point(lat1, lon1)
    lat2, lon2 = validate_point(lat2, lon2)
    return inverse(lat1, lon1, lat2, lon2)[0]


def initial_bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic forward azimuth from point 1 towards point 2 (0 for the same point)."""
    lat1, lon1 = validate_point(lat1, lon1)
    lat2, lon2 = validate_point(lat2, lon2)
    return inverse(lat1, lon1, lat2, lon2)[1]


def destination_point(lat: float, lon: float, bearing_deg: float, distance_m: float) -> LatLon:
    """The point reached by following the geodesic from (lat, lon) for distance_m."""
    lat, lon = validate_point(lat, lon)
    bearing = number(bearing_deg, "Bearing")
    distance = non_negative(distance_m, "Distance")
    if distance == 0:
        return lat, lon
    return direct(lat, lon, bearing, distance)
