// Registration form: map with a draggable pin, address lookup, agency terms,
// add/remove cameras and the eligibility explanation. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  if (!form) { return; }
  var mapElement = document.getElementById("map");
  var status = document.getElementById("map-status");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  var address = document.getElementById("id_street_address");
  var findButton = document.getElementById("find-address");
  var suggestions = document.getElementById("address-suggestions");
  var termsBox = document.getElementById("terms-text");
  var termsVersion = document.getElementById("id_terms_version");
  var map = null;
  var marker = null;

  function say(text) { status.textContent = text; }
  // Messages come translated from the page (data-msg-* on the form), so the script holds no wording.
  function message(name, agency, place) {
    return (form.dataset[name] || "").replace("{agency}", agency || "").replace("{address}", place || "");
  }

  var placeButton = document.getElementById("place-pin");
  var placeHelp = document.getElementById("map-place-help");
  // When the address is not in the table the resident places the pin by hand: a tap, or the button and arrow keys.
  var placing = false;

  function ensureMap(lat, lon, zoom) {
    if (map) { return true; }
    if (typeof L === "undefined") { return false; }
    mapElement.hidden = false;
    map = L.map(mapElement, { keyboard: true }).setView([lat, lon], zoom);
    // Tiles are decoration: the pin, the boundary and the form work when they cannot load.
    if (mapElement.dataset.tiles) {
      L.tileLayer(mapElement.dataset.tiles, { maxZoom: 19, attribution: mapElement.dataset.attribution }).addTo(map);
    }
    fetch(mapElement.dataset.boundariesUrl).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, { style: { color: "#0b5394", weight: 2, fill: false }, interactive: false }).addTo(map);
    }).catch(function () {});
    map.on("click", function (event) {
      if (placing) { putMarker(event.latlng); placed(event.latlng, true); }
    });
    return true;
  }

  function putMarker(latlng) {
    if (marker) { marker.setLatLng(latlng); return; }
    var label = mapElement.getAttribute("aria-label");
    marker = L.marker(latlng, { draggable: true, keyboard: true, title: label, alt: label }).addTo(map);
    marker.on("dragend", function () { placed(marker.getLatLng(), true); });
    // Arrow keys move the selected pin about 2 m per press.
    marker.on("keydown", function (event) {
      var key = event.originalEvent.key;
      var step = 0.00002;
      var position = marker.getLatLng();
      var moves = { ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowLeft: [0, -step], ArrowRight: [0, step] };
      if (moves[key]) {
        event.originalEvent.preventDefault();
        var moved = L.latLng(position.lat + moves[key][0], position.lng + moves[key][1]);
        marker.setLatLng(moved);
        placed(moved, true);
      }
    });
  }

  function setPlacing(on) {
    placing = on;
    placeButton.hidden = !on;
    placeHelp.hidden = !on;
    document.getElementById("map-help").hidden = on;
  }

  // The address was found: the pin on its point, ready to be dragged onto the building.
  function setupMap(lat, lon) {
    if (!ensureMap(lat, lon, 18)) { return; }
    setPlacing(false);
    map.setView([lat, lon], 18);
    putMarker([lat, lon]);
  }

  // The address is not in the table: the map opens on the area served, with no pin until the resident places one.
  function openForPlacing(area) {
    if (!area) { return; }
    if (placing && marker) { return; }  // a pin the resident placed stays while they correct the spelling
    if (!ensureMap((area[0][0] + area[1][0]) / 2, (area[0][1] + area[1][1]) / 2, 14)) { return; }
    setPlacing(true);
    map.invalidateSize();
    map.fitBounds(area);
    if (marker) { map.removeLayer(marker); marker = null; }
  }

  placeButton.addEventListener("click", function () {
    if (!map) { return; }
    var centre = map.getCenter();
    putMarker(centre);
    placed(centre, true);
    if (marker.getElement) { marker.getElement().focus(); }
  });

  function showTerms(data) {
    if (!data.terms_version) { return; }
    if (termsVersion.value !== String(data.terms_version)) {
      termsVersion.value = data.terms_version;
      termsBox.textContent = "";
      var heading = document.createElement("p");
      heading.className = "terms-agency";
      heading.textContent = data.agency;
      termsBox.appendChild(heading);
      data.terms_text.split(/\n\s*\n/).forEach(function (paragraph) {
        var p = document.createElement("p");
        p.textContent = paragraph;
        termsBox.appendChild(p);
      });
      var consent = document.getElementById("id_consent");
      if (consent) { consent.checked = false; }
    }
  }

  function placed(latlng, moved) {
    latitude.value = latlng.lat.toFixed(7);
    longitude.value = latlng.lng.toFixed(7);
    var wasPlacing = placing;
    fetch(mapElement.dataset.agencyUrl + "?lat=" + latlng.lat + "&lon=" + latlng.lng)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.in_jurisdiction) { say(data.outside_message); return; }
        showTerms(data);
        if (moved) { say(message(wasPlacing ? "msgPinPlaced" : "msgPinMoved", data.agency)); }
      }).catch(function () {});
  }

  function showSuggestions(list) {
    suggestions.textContent = "";
    list.forEach(function (s) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.className = "link-button"; b.textContent = s;
      b.addEventListener("click", function () { address.value = s; lookup(); });
      li.appendChild(b); suggestions.appendChild(li);
    });
    suggestions.hidden = list.length === 0;
  }

  // One lookup per address: leaving the field and then pressing "Find" (or pressing it twice) asks once,
  // and only the answer to the newest question is used, so a late answer never moves a pin placed since.
  var lastQuery = null;
  var asked = 0;
  function lookup() {
    var text = address.value.trim();
    if (text.length < 3 || text === lastQuery) { return; }
    lastQuery = text;
    var ticket = ++asked;
    if (!(placing && marker)) { latitude.value = ""; longitude.value = ""; }
    showSuggestions([]);
    say(message("msgSearching"));
    fetch(mapElement.dataset.geocodeUrl + "?address=" + encodeURIComponent(text))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (ticket !== asked) { return; }
        if (data.error) { lastQuery = null; say(data.error); return; }
        if (!data.found) {
          say(data.message);
          showSuggestions(data.suggestions || []);
          openForPlacing(data.area);
          return;
        }
        var city = document.getElementById("id_city");
        var postal = document.getElementById("id_postal_code");
        if (city && !city.value) { city.value = data.city || ""; }
        if (postal && !postal.value) { postal.value = data.postal_code || ""; }
        setupMap(data.lat, data.lon);
        latitude.value = data.lat; longitude.value = data.lon;
        if (!data.in_jurisdiction) { say(data.outside_message); return; }
        showTerms(data);
        say(message("msgFound", data.agency, data.address));
      })
      .catch(function () {
        if (ticket !== asked) { return; }
        lastQuery = null;  // a failed lookup may be tried again
        say(message("msgLookupFailed"));
      });
  }

  findButton.hidden = false;
  findButton.addEventListener("click", lookup);
  address.addEventListener("change", lookup);
  if (latitude.value && longitude.value) {
    // The page came back (an error elsewhere in the form): keep the pin where the resident left it.
    lastQuery = address.value.trim();
    setupMap(parseFloat(latitude.value), parseFloat(longitude.value));
  }

  // Business name only for businesses.
  var businessBlock = document.getElementById("business-name-block");
  function syncBusiness() {
    var checked = form.querySelector("input[name=property_type]:checked");
    businessBlock.hidden = !(checked && checked.value === "business");
  }
  form.querySelectorAll("input[name=property_type]").forEach(function (input) { input.addEventListener("change", syncBusiness); });
  syncBusiness();

  // Eligibility: explain at once when an answer is "no".
  var notEligible = document.getElementById("not-eligible");
  function syncEligibility() {
    var no = form.querySelector("input[name=exterior][value=no]:checked, input[name=records][value=no]:checked");
    notEligible.hidden = !no;
  }
  form.querySelectorAll("input[name=exterior], input[name=records]").forEach(function (input) { input.addEventListener("change", syncEligibility); });
  syncEligibility();

  // Cameras: add from the template, remove by hiding and ticking DELETE.
  var total = document.getElementById("id_cameras-TOTAL_FORMS");
  var list = document.getElementById("camera-list");
  var template = document.getElementById("camera-template");
  var addButton = document.getElementById("add-camera");
  function visibleCameras() { return list.querySelectorAll("[data-camera]:not([hidden])"); }
  // Number the cameras the owner still sees, and offer "remove" only when one would remain.
  function syncCameras() {
    var visible = visibleCameras();
    visible.forEach(function (block, index) {
      var number = block.querySelector("[data-camera-number]");
      if (number) { number.textContent = index + 1; }
      var remove = block.querySelector(".remove-camera-button");
      if (remove) { remove.hidden = visible.length <= 1; }
    });
  }
  function enhanceCamera(block) {
    var deleteBox = block.querySelector("input[name$='-DELETE']");
    if (!deleteBox) { return; }
    var wrapper = deleteBox.closest(".remove-camera");
    wrapper.hidden = true;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button danger remove-camera-button";
    remove.textContent = deleteBox.closest("label").textContent.trim();
    remove.addEventListener("click", function () {
      if (visibleCameras().length <= 1) { return; }
      deleteBox.checked = true;
      block.hidden = true;
      syncCameras();
      document.getElementById("camera-status").textContent = message("msgCameraRemoved");
      addButton.focus();
    });
    block.appendChild(remove);
  }
  list.querySelectorAll("[data-camera]").forEach(function (block) {
    enhanceCamera(block);
    var deleteBox = block.querySelector("input[name$='-DELETE']");
    if (deleteBox && deleteBox.checked) { block.hidden = true; }
  });
  syncCameras();
  // A copy of the empty camera block, node by node, with its form index and number filled in:
  // nothing is ever parsed from a string, so no text can turn into markup here.
  function numberedCamera(index) {
    function fill(value) { return value.replace(/__prefix__/g, index).replace(/__number__/g, index + 1); }
    var block = document.importNode(template.content.querySelector("[data-camera]"), true);
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var node = block; node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        node.nodeValue = fill(node.nodeValue);
      } else {
        Array.prototype.forEach.call(node.attributes, function (attribute) { attribute.value = fill(attribute.value); });
      }
    }
    return block;
  }
  addButton.addEventListener("click", function (event) {
    event.preventDefault();
    var index = parseInt(total.value, 10);
    if (index >= 30) { return; }
    var block = numberedCamera(index);
    list.appendChild(block);
    total.value = index + 1;
    enhanceCamera(block);
    syncCameras();
    var first = block.querySelector("input, select");
    if (first) { first.focus(); }
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
