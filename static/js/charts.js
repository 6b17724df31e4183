/* Every chart on a page, drawn from data the server wrote: an element
   <div data-chart="X"> and, beside it, <script type="application/json" id="X"> (Django's
   json_script) holding the whole ECharts option, its words already in the user's language
   (core.charts builds it; templates/includes/chart.html writes both). No page has its own
   chart script, and the Content-Security-Policy runs no inline code. Charts follow the window's
   width. */
(function () {
  "use strict";

  function draw() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) return;
      var chart = window.echarts.init(element);
      chart.setOption(JSON.parse(source.textContent));
      charts.push(chart);
    });
    if (charts.length) {
      window.addEventListener("resize", function () {
        charts.forEach(function (chart) { chart.resize(); });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
