/* Place map (Leaflet, vendored): the district's own outlines as the base layer when no tile
   server is set (an intranet), over the tiles when one is; the requests as rounded points.
   Reads the JSON script #place-map-data: {tiles, attribution, center, zoom,
   boundaries: GeoJSON FeatureCollection (properties code, name, level), points: [{lat, lng,
   number, label, state, open}]}. Nothing is fetched from anywhere else. */
(function () {
  "use strict";
  var node = document.getElementById("place-map");
  var dataNode = document.getElementById("place-map-data");
  if (!node || !dataNode || typeof L === "undefined") return;
  var data = JSON.parse(dataNode.textContent);
  var plain = !data.tiles;
  var map = L.map(node, { attributionControl: !!data.attribution, zoomControl: true })
    .setView(data.center, data.zoom || 14);
  if (plain) {
    node.classList.add("pin-plain");
  } else {
    L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
  }
  // Outlines by level: the district filled as land, streets and communities as lines, grids
  // faint; names shown for streets and communities as the base map's labels.
  var styles = {
    district: { color: "#51606f", weight: 2, fillColor: "#eef1ea", fillOpacity: plain ? 1 : 0.05 },
    street: { color: "#6b7a89", weight: 2, fillColor: "#e3e9dc", fillOpacity: plain ? 0.6 : 0.05 },
    community: { color: "#8a97a4", weight: 1.2, fillOpacity: 0, dashArray: "" },
    grid: { color: "#b3bcc6", weight: 0.8, fillOpacity: 0, dashArray: "3 3" }
  };
  var outlines = L.geoJSON(data.boundaries, {
    interactive: false,
    style: function (f) { return styles[f.properties.level] || styles.grid; }
  }).addTo(map);
  var labels = L.layerGroup().addTo(map);
  outlines.eachLayer(function (layer) {
    var p = layer.feature.properties;
    if (p.level !== "street" && p.level !== "community") return;
    var name = document.createElement("span");  // text, never HTML
    name.textContent = p.name;
    name.style.cssText = "white-space:nowrap;font-size:" + (p.level === "street" ? "13px" : "11px") +
      ";color:#37424d;text-shadow:0 0 3px #fff,0 0 3px #fff;transform:translate(-50%,-50%);display:inline-block";
    labels.addLayer(L.marker(layer.getBounds().getCenter(), { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "place-label place-label-" + p.level, html: name, iconSize: null }) }));
  });
  function showLabels() {
    var z = map.getZoom();
    labels.eachLayer(function (m) {
      var el = m.getElement && m.getElement();
      if (!el) return;
      var community = el.classList.contains("place-label-community");
      el.style.display = (community ? z >= 15 : z <= 15) ? "" : "none";
    });
  }
  var points = L.featureGroup().addTo(map);
  (data.points || []).forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: 7, weight: 2, color: "#fff", fillOpacity: 0.9,
      fillColor: p.open ? "#c62828" : "#2e7d32"
    });
    var text = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = p.number + " " + p.label;
    text.appendChild(strong);
    text.appendChild(document.createElement("br"));
    text.appendChild(document.createTextNode(p.state));
    marker.bindPopup(text);
    points.addLayer(marker);
  });
  var target = outlines.getLayers().length ? outlines.getBounds() : points.getBounds();
  if (target.isValid()) map.fitBounds(target, { padding: [8, 8], animate: false });
  map.on("zoomend", showLabels);
  showLabels();
  node.dataset.ready = "1";
})();
