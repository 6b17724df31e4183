/* Pin map for service requests (Leaflet, vendored). Two uses:
   - a form: <div data-pin-map data-lat-input="id_lat" data-long-input="id_long">
     a tap drops or moves the pin and fills the inputs; typing in the inputs moves the pin;
   - a request page: <div data-pin-map data-lat="…" data-long="…"> shows the pin, read-only.
   Options (tiles, attribution, centre, zoom) come from the JSON script #pin-map-options.
   Without a tile URL the map is a plain grid of coordinate lines (no third-party requests). */
(function () {
  "use strict";
  var optionsNode = document.getElementById("pin-map-options");
  if (!optionsNode || typeof L === "undefined") return;
  var options = JSON.parse(optionsNode.textContent);

  function fixed(n) { return Math.round(n * 1e6) / 1e6; }

  function grid(map) {
    // Coordinate lines every 0.001–0.1 degree depending on zoom, with their values, so a pin
    // can be placed by reading the grid when there are no map tiles.
    var layer = L.layerGroup().addTo(map);
    function draw() {
      layer.clearLayers();
      var b = map.getBounds(), z = map.getZoom();
      var step = z >= 17 ? 0.001 : z >= 15 ? 0.005 : z >= 13 ? 0.02 : 0.1;
      var style = { color: "#9aa7b5", weight: 1, opacity: 0.6, interactive: false };
      for (var la = Math.ceil(b.getSouth() / step) * step; la < b.getNorth(); la += step) {
        layer.addLayer(L.polyline([[la, b.getWest()], [la, b.getEast()]], style));
        layer.addLayer(L.marker([la, b.getEast()], { interactive: false, icon: L.divIcon({
          className: "pin-grid-label pin-grid-lat", html: la.toFixed(3), iconSize: [60, 14], iconAnchor: [62, 14] }) }));
      }
      for (var lo = Math.ceil(b.getWest() / step) * step; lo < b.getEast(); lo += step) {
        layer.addLayer(L.polyline([[b.getSouth(), lo], [b.getNorth(), lo]], style));
        layer.addLayer(L.marker([b.getSouth(), lo], { interactive: false, icon: L.divIcon({
          className: "pin-grid-label", html: lo.toFixed(3), iconSize: [60, 14], iconAnchor: [-2, 16] }) }));
      }
    }
    map.on("moveend zoomend", draw);
    draw();
  }

  function icon() {
    return L.divIcon({ className: "pin-marker", html: "<span></span>", iconSize: [22, 22], iconAnchor: [11, 22] });
  }

  // The pin only shows where: it has no action of its own (a click on the map moves it), so it
  // is not a control a keyboard or a screen reader should stop at.
  function pin(latlng) {
    return L.marker(latlng, { icon: icon(), interactive: false, keyboard: false });
  }

  document.querySelectorAll("[data-pin-map]").forEach(function (node) {
    var latInput = document.getElementById(node.dataset.latInput || "");
    var longInput = document.getElementById(node.dataset.longInput || "");
    var editable = !!(latInput && longInput);
    var lat = parseFloat(editable ? latInput.value : node.dataset.lat);
    var lng = parseFloat(editable ? longInput.value : node.dataset.long);
    var has = isFinite(lat) && isFinite(lng);
    var map = L.map(node, { attributionControl: !!options.attribution, zoomControl: true })
      .setView(has ? [lat, lng] : options.center, options.zoom);
    if (options.tiles) {
      L.tileLayer(options.tiles, { attribution: options.attribution, maxZoom: 19 }).addTo(map);
    } else {
      node.classList.add("pin-plain");
      grid(map);
    }
    var marker = has ? pin([lat, lng]).addTo(map) : null;
    if (!editable) return;
    node.dataset.ready = "1";
    function place(latlng, pan) {
      if (marker) marker.setLatLng(latlng); else marker = pin(latlng).addTo(map);
      latInput.value = fixed(latlng.lat);
      longInput.value = fixed(latlng.lng);
      if (pan) map.panTo(latlng);
    }
    map.on("click", function (e) { place(e.latlng, false); });
    function typed() {
      var a = parseFloat(latInput.value), b = parseFloat(longInput.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        if (marker) marker.setLatLng([a, b]); else marker = pin([a, b]).addTo(map);
        map.panTo([a, b]);
      }
    }
    latInput.addEventListener("change", typed);
    longInput.addEventListener("change", typed);
    var locate = node.parentNode.querySelector("[data-pin-locate]");
    var status = node.parentNode.querySelector("[data-pin-status]");
    function say(text, failed) {
      // Said in the page, not only to the console: a refused permission used to fail silently.
      if (!status) return;
      status.textContent = text || "";
      status.classList.toggle("error", !!failed);
    }
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        locate.disabled = true;
        say(locate.dataset.locating, false);
        navigator.geolocation.getCurrentPosition(function (p) {
          locate.disabled = false;
          place(L.latLng(p.coords.latitude, p.coords.longitude), true);
          say(locate.dataset.located, false);
        }, function (error) {
          locate.disabled = false;
          var why = error && error.code === 1 ? "denied" : error && error.code === 3 ? "timeout" : "unavailable";
          say(locate.dataset[why], true);
        }, { timeout: 15000, maximumAge: 60000 });
      });
    }
    var clear = node.parentNode.querySelector("[data-pin-clear]");
    if (clear) clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      latInput.value = ""; longInput.value = "";
    });
  });
})();
