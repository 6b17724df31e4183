/* The request form (services/request_form.html), loaded before the pin map:
   - the map goes right above the latitude and longitude inputs it fills;
   - a second tap while the first submit is on its way does nothing (the form's key guards the
     server too). */
(function () {
  "use strict";
  var pin = document.getElementById("pin-field");
  var map = document.getElementById("pin-map");
  var lat = map && document.getElementById(map.dataset.latInput || "");
  if (pin && lat && lat.closest(".field")) lat.closest(".field").before(pin);

  var form = document.getElementById("request-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }
})();
