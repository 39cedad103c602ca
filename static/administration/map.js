// Draws an agency boundary and/or coverage grid cells from data attributes, with a legend; works without map tiles.
// Cells come from administration.selectors.grid_cells: {south, west, north, east, count}.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var COLOR = "#0b5394";
  var MAX_LEVELS = 5;

  // Tooltips and the legend get DOM text, never HTML: Leaflet inserts a string tooltip as markup.
  function textElement(tag, text, className) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    element.textContent = text;
    return element;
  }

  // Counts fall into at most MAX_LEVELS shades between the smallest and the largest count shown.
  function levelsFor(cells) {
    var counts = cells.map(function (cell) { return cell.count; });
    var low = Math.min.apply(null, counts);
    var high = Math.max.apply(null, counts);
    var span = high - low + 1;
    var levels = Math.min(MAX_LEVELS, span);
    return {
      count: levels,
      of: function (count) { return Math.min(levels - 1, Math.floor((count - low) * levels / span)); },
      range: function (level) {
        return [low + Math.ceil(level * span / levels), low + Math.ceil((level + 1) * span / levels) - 1];
      },
      opacity: function (level) { return 0.15 + 0.6 * (level + 1) / levels; }
    };
  }

  function words(template, cell) { return template.replace("{count}", cell.count).replace("{name}", cell.name || ""); }

  function legend(element, levels) {
    var box = document.createElement("div");
    box.className = "map-legend";
    box.id = element.id + "-legend";
    box.appendChild(textElement("p", element.dataset.legendTitle || "", "map-legend-title"));
    var list = document.createElement("ul");
    for (var level = 0; level < levels.count; level += 1) {
      var range = levels.range(level);
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "map-legend-swatch";
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.backgroundColor = "rgba(11, 83, 148, " + levels.opacity(level) + ")";  // COLOR at the cell's opacity
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(range[0] === range[1] ? String(range[0]) : range[0] + "–" + range[1]));
      list.appendChild(item);
    }
    box.appendChild(list);
    element.parentNode.insertBefore(box, element.nextSibling);
  }

  ["boundary-map", "coverage-map"].forEach(function (id) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var layers = [];
    if (element.dataset.boundary && element.dataset.boundary !== "null") {
      layers.push(L.geoJSON(JSON.parse(element.dataset.boundary), { style: { color: "#073763", weight: 2, fillOpacity: 0.05 } }));
    }
    var cells = element.dataset.cells ? JSON.parse(element.dataset.cells) : [];
    if (cells.length) {
      var levels = levelsFor(cells);
      var tooltip = element.dataset.tooltip || "{count}";
      cells.forEach(function (cell) {
        var level = levels.of(cell.count);
        layers.push(L.rectangle([[cell.south, cell.west], [cell.north, cell.east]], {
          color: COLOR, weight: 1, fillOpacity: levels.opacity(level), className: "coverage-cell"
        }).bindTooltip(textElement("span", words(tooltip, cell))));
      });
      legend(element, levels);
    }
    var map = L.map(element, { scrollWheelZoom: false, attributionControl: false });
    // The view must be set before any vector layer is added: Leaflet cannot place a path on a map without one.
    var group = L.featureGroup(layers);
    var bounds = group.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([0, 0], 1); }
    group.addTo(map);
  });
})();
