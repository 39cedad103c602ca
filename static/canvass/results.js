// Results and sheet pages: the search area, cameras and view cones; a result and its marker highlight each other.
(function () {
  "use strict";
  var dataElement = document.getElementById("map-data");
  var mapElement = document.getElementById("results-map") || document.getElementById("sheet-map");
  var printButton = document.getElementById("print-sheet");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (!dataElement || !mapElement || typeof L === "undefined") { return; }
  var data = JSON.parse(dataElement.textContent);
  var map = L.map(mapElement, { attributionControl: false });
  var markers = {};
  var cones = {};
  var selected = null;

  // Owners type the addresses: a tooltip gets them as a text node, never as HTML (Leaflet parses a string tooltip).
  function textElement(text) {
    var element = document.createElement("span");
    element.textContent = text;
    return element;
  }

  // One colour per verdict; the legend under the map (results.html) uses the same colours.
  var VERDICT_COLOURS = { sees: "#15803d", might: "#1d4ed8", away: "#6b7280", unknown: "#a16207" };
  function styleFor(props) {
    return VERDICT_COLOURS[props.verdict] || VERDICT_COLOURS.away;
  }
  // The address a point belongs to: its result row's title on this page, else its rank.
  function tooltipText(props) {
    var row = document.getElementById("camera-" + props.row);
    var title = row && row.querySelector(".result-title");
    if (title) { return title.textContent.trim(); }
    return props.address ? props.rank + ". " + props.address : "Result " + props.rank + " (on another page)";
  }

  // Area, incident and the current page's view cones are GeoJSON features.
  var layer = L.geoJSON(data, {
    style: function (feature) {
      var role = feature.properties.role;
      if (role === "area") { return { color: "#1d4ed8", weight: 2, fillOpacity: 0.05 }; }
      if (role === "cone") { return { color: styleFor(feature.properties), weight: 1, fillOpacity: 0.15 }; }
      return {};
    },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 9, color: "#b00020", weight: 3, fillOpacity: 0.9 });
    },
    onEachFeature: function (feature, item) {
      if (feature.properties.role === "cone") { cones[feature.properties.camera_id] = item; }
    }
  }).addTo(map);

  // Every result's cameras are compact rows (exports.map_geojson): one small marker each.
  var columns = {};
  (data.camera_columns || []).forEach(function (name, index) { columns[name] = index; });
  var rowOfRank = {};
  var cameraLayer = L.featureGroup();
  (data.cameras || []).forEach(function (values) {
    var rank = values[columns.rank];
    var cameraId = values[columns.camera_id];
    // An address's cameras come best first: the first camera of a rank names its result row.
    if (rowOfRank[rank] === undefined) { rowOfRank[rank] = cameraId; }
    var props = {
      camera_id: cameraId,
      rank: rank,
      row: rowOfRank[rank],
      verdict: (data.verdicts || [])[values[columns.verdict]],
      address: columns.address === undefined ? "" : values[columns.address]
    };
    var item = L.circleMarker([values[columns.lat], values[columns.lon]], {
      radius: 6, color: styleFor(props), weight: 2, fillOpacity: 0.7
    });
    if (!markers[props.row] || props.row === cameraId) { markers[props.row] = item; }
    item.bindTooltip(function () { return textElement(tooltipText(props)); });
    item.on("click", function () { select(props.row, true); });
    item.on("add", function () {
      var el = item.getElement();
      if (el) { el.classList.add("camera-marker"); el.setAttribute("data-camera-id", cameraId); }
    });
    cameraLayer.addLayer(item);
  });
  cameraLayer.addTo(map);
  // The results map shows the whole searched area; the sheet frames its stops and the incident, which an officer
  // walks (a few blocks of a 1,500 m circle).
  var bounds = layer.getBounds();
  if (mapElement.id === "sheet-map" && cameraLayer.getLayers().length) {
    bounds = cameraLayer.getBounds();
    layer.eachLayer(function (item) {
      if (item.feature && item.feature.properties.role === "incident") { bounds.extend(item.getLatLng()); }
    });
  } else if (cameraLayer.getLayers().length) {
    bounds.extend(cameraLayer.getBounds());
  }
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 }); } else { map.setView([0, 0], 2); }

  function select(cameraId, scroll) {
    if (selected !== null) {
      var old = document.getElementById("camera-" + selected);
      if (old) { old.classList.remove("selected"); }
      if (markers[selected]) { markers[selected].setStyle({ weight: 2, radius: 6 }); }
      if (cones[selected]) { cones[selected].setStyle({ weight: 1, fillOpacity: 0.15 }); }
    }
    selected = cameraId;
    var row = document.getElementById("camera-" + cameraId);
    if (row) {
      row.classList.add("selected");
      if (scroll) { row.scrollIntoView({ block: "nearest" }); row.focus({ preventScroll: true }); }
    }
    if (markers[cameraId]) { markers[cameraId].setStyle({ weight: 4, radius: 10 }); markers[cameraId].bringToFront(); }
    if (cones[cameraId]) { cones[cameraId].setStyle({ weight: 3, fillOpacity: 0.35 }); }
  }

  document.querySelectorAll(".result[data-camera-id]").forEach(function (row) {
    var id = Number(row.dataset.cameraId);
    row.addEventListener("click", function (event) {
      if (event.target.closest("button, a, input")) { return; }
      select(id, false);
      if (markers[id]) { map.panTo(markers[id].getLatLng()); }
    });
    row.addEventListener("keydown", function (event) {
      if (event.target === row && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); select(id, false); }
    });
  });
})();
