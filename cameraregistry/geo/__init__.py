"""WGS84 geometry for the camera registry, as plain functions over plain data.

Coordinates are (latitude, longitude) in degrees, distances are metres and
bearings are degrees clockwise from true north, normalised to [0, 360).

* geodesic: distance, bearing, destination and area on the ellipsoid, solved
  by geographiclib.
* plane: the local plane around a point, and straight-line geometry in it.
* cones, polygons, routes, boxes: the shapes a canvass search is made of.
* validation: GeometryError and the checks on numbers and points.

Nothing here touches Django or the database. Bad input raises GeometryError
(a ValueError) with a message that can be shown to the person who typed or
drew it.
"""

from cameraregistry.geo.angles import angle_difference_deg
from cameraregistry.geo.boxes import BBox, bbox_around, bounding_box, expand_bbox
from cameraregistry.geo.cones import (
    MAX_RANGE_M,
    circle_polygon,
    cone_intersects_circle,
    cone_intersects_polygon,
    cone_intersects_polyline,
    cone_intersects_route,
    cone_polygon,
    point_in_cone,
)
from cameraregistry.geo.geodesic import destination_point, distance_m, initial_bearing_deg
from cameraregistry.geo.plane import LocalPlane, point_segment_distance
from cameraregistry.geo.polygons import (
    EDGE_TOLERANCE_M,
    point_in_multipolygon,
    point_in_polygon,
    polygon_area_m2,
    polygon_contains_point,
    validate_polygon,
)
from cameraregistry.geo.routes import distance_to_polyline_m, route_length_m, validate_route
from cameraregistry.geo.validation import GeometryError, LatLon, validate_point

__all__ = [
    "EDGE_TOLERANCE_M",
    "MAX_RANGE_M",
    "BBox",
    "GeometryError",
    "LatLon",
    "LocalPlane",
    "angle_difference_deg",
    "bbox_around",
    "bounding_box",
    "circle_polygon",
    "cone_intersects_circle",
    "cone_intersects_polygon",
    "cone_intersects_polyline",
    "cone_intersects_route",
    "cone_polygon",
    "destination_point",
    "distance_m",
    "distance_to_polyline_m",
    "expand_bbox",
    "initial_bearing_deg",
    "point_in_cone",
    "point_in_multipolygon",
    "point_in_polygon",
    "point_segment_distance",
    "polygon_area_m2",
    "polygon_contains_point",
    "route_length_m",
    "validate_point",
    "validate_polygon",
    "validate_route",
]
