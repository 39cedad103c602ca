// Draws an agency boundary and/or coverage grid cells from data attributes; works without map tiles.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  ["boundary-map", "coverage-map"].forEach(function (id) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var map = L.map(element, { scrollWheelZoom: false });
    var layers = [];
    if (element.dataset.boundary) {
      layers.push(L.geoJSON(JSON.parse(element.dataset.boundary), { style: { color: "#073763", weight: 2, fillOpacity: 0.05 } }));
    }
    var cells = element.dataset.cells ? JSON.parse(element.dataset.cells) : [];
    var top = cells.reduce(function (most, cell) { return Math.max(most, cell.count); }, 1);
    cells.forEach(function (cell) {
      layers.push(L.rectangle([[cell.south, cell.west], [cell.north, cell.east]], {
        color: "#0b5394", weight: 1, fillOpacity: 0.15 + 0.6 * cell.count / top
      }).bindTooltip(cell.count + " registrations"));
    });
    layers.forEach(function (layer) { layer.addTo(map); });
    var group = L.featureGroup(layers);
    if (layers.length && group.getBounds().isValid()) { map.fitBounds(group.getBounds()); } else { map.setView([0, 0], 1); }
  });
})();
