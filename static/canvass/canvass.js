// Search page: click the map to place the incident, or to draw a polygon or route point by point.
(function () {
  "use strict";
  var form = document.getElementById("canvass-form");
  var mapElement = document.getElementById("search-map");
  if (!form || !mapElement || typeof L === "undefined") { return; }
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  var latInput = form.querySelector("[name=latitude]");
  var lonInput = form.querySelector("[name=longitude]");
  var verticesInput = form.querySelector("[name=vertices]");
  var radiusInput = form.querySelector("[name=radius_m]");
  var status = document.getElementById("map-status");
  // The radius is typed in the agency's units (feet or metres); the map draws in metres.
  var metresPerUnit = parseFloat(form.dataset.metresPerUnit) || 1;
  var defaultRadius = parseFloat(form.dataset.defaultRadius) || 150;
  var center = [parseFloat(form.dataset.centerLat) || 0, parseFloat(form.dataset.centerLon) || 0];

  // No tiles: the registry runs without internet, so the map shows shapes on a plain background.
  var map = L.map(mapElement, { zoomControl: true, attributionControl: false }).setView(center, 15);
  // Jurisdiction outlines give the plain map its bearings when no tiles load.
  if (form.dataset.boundariesUrl) {
    fetch(form.dataset.boundariesUrl).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, { interactive: false, style: { color: "#073763", weight: 2, dashArray: "6 4", fill: false } }).addTo(map);
    }).catch(function () {});
  }
  var corridorBlock = document.getElementById("corridor-block");
  function syncCorridor() { if (corridorBlock) { corridorBlock.hidden = areaKind() !== "route"; } }
  form.querySelectorAll("[name=area_kind]").forEach(function (input) { input.addEventListener("change", syncCorridor); });
  var placeMarker = null;
  var circle = null;
  var shape = null;
  var vertices = [];
  try { vertices = JSON.parse(verticesInput.value || "[]"); } catch (e) { vertices = []; }

  function areaKind() {
    var checked = form.querySelector("[name=area_kind]:checked");
    return checked ? checked.value : "radius";
  }
  function radius() {
    var value = parseFloat(radiusInput.value);
    return value > 0 && isFinite(value) ? value * metresPerUnit : defaultRadius;
  }
  function say(text) { status.textContent = text; }
  syncCorridor();

  function draw() {
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    var hasPlace = isFinite(lat) && isFinite(lon) && latInput.value !== "";
    if (placeMarker) { map.removeLayer(placeMarker); placeMarker = null; }
    if (circle) { map.removeLayer(circle); circle = null; }
    if (shape) { map.removeLayer(shape); shape = null; }
    if (hasPlace) {
      placeMarker = L.circleMarker([lat, lon], { radius: 8, color: "#b00020", weight: 3, fillOpacity: 0.9 }).addTo(map);
      if (areaKind() === "radius") {
        circle = L.circle([lat, lon], { radius: radius(), color: "#1d4ed8", weight: 2, fillOpacity: 0.08 }).addTo(map);
      }
    }
    if (areaKind() === "polygon" && vertices.length) {
      shape = L.polygon(vertices, { color: "#1d4ed8", weight: 2, fillOpacity: 0.08 }).addTo(map);
    } else if (areaKind() === "route" && vertices.length) {
      shape = L.polyline(vertices, { color: "#1d4ed8", weight: 4 }).addTo(map);
    }
    verticesInput.value = areaKind() === "radius" ? "" : JSON.stringify(vertices);
  }

  map.on("click", function (event) {
    var lat = Number(event.latlng.lat.toFixed(7)), lon = Number(event.latlng.lng.toFixed(7));
    var hasPlace = latInput.value !== "" && lonInput.value !== "";
    if (areaKind() === "radius" || !hasPlace) {
      latInput.value = lat;
      lonInput.value = lon;
      say("Incident placed at " + lat.toFixed(5) + ", " + lon.toFixed(5) + ".");
    } else {
      vertices.push([lat, lon]);
      say((areaKind() === "route" ? "Route" : "Area") + " has " + vertices.length + " point" + (vertices.length === 1 ? "" : "s") + ".");
    }
    draw();
  });
  form.querySelectorAll("[name=area_kind]").forEach(function (input) {
    input.addEventListener("change", function () {
      vertices = [];
      if (areaKind() !== "radius") { say("Click the map to add the points of the " + (areaKind() === "route" ? "route" : "area") + "."); }
      draw();
    });
  });
  radiusInput.addEventListener("input", draw);
  // "Did you mean": a suggested address replaces the typed one and the search runs again with it.
  form.querySelectorAll(".address-suggestions button[data-address]").forEach(function (button) {
    button.addEventListener("click", function () {
      form.querySelector("[name=address]").value = button.dataset.address;
      latInput.value = "";
      lonInput.value = "";
      form.requestSubmit();
    });
  });
  document.getElementById("clear-shape").addEventListener("click", function () {
    vertices = [];
    say("Drawn shape cleared.");
    draw();
  });
  draw();
  if (placeMarker) { map.setView(placeMarker.getLatLng(), 16); }
})();
