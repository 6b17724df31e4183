/* The big screen reloads itself every data-refresh seconds (a wall display has no one to press
   F5), unless someone pauses it with the button (WCAG 2.2.1: the viewer controls the timing). */
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.dataset.refresh || "0", 10);
  var button = document.querySelector("[data-refresh-toggle]");
  if (!seconds) return;
  var timer = null;
  function start() { timer = window.setTimeout(function () { window.location.reload(); }, seconds * 1000); }
  function stop() { window.clearTimeout(timer); timer = null; }
  start();
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var paused = timer !== null;
      if (paused) { stop(); } else { start(); }
      button.setAttribute("aria-pressed", paused ? "true" : "false");
      button.textContent = paused ? button.dataset.resume : button.dataset.pause;
    });
  }
})();
