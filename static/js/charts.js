/* Every chart on a page, drawn from data the server wrote: an element
   <div data-chart="X"> and, beside it, <script type="application/json" id="X"> (Django's
   json_script) holding the whole ECharts option, its words already in the user's language
   (core.charts builds it; templates/includes/chart.html writes both). No page has its own
   chart script, and the Content-Security-Policy runs no inline code. Charts follow the window's
   width; one whose categories run down the side is made tall enough to label every row. */
(function () {
  "use strict";

  var ROW = 24; // px per category of a chart whose categories run down the side

  // A ranking (categories down the side, each labelled) grows tall enough for a row per
  // category: at the page's fixed height, 30 communities left room to name every other one.
  function fitRows(element, option) {
    var axis = option.yAxis;
    if (!axis || Array.isArray(axis) || axis.type !== "category" || !axis.data) return;
    var grid = option.grid || {};
    var needed = axis.data.length * ROW + (grid.top || 0) + (grid.bottom || 0);
    if (element.clientHeight < needed) element.style.height = needed + "px";
  }

  function draw() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      fitRows(element, option);
      var chart = window.echarts.init(element);
      chart.setOption(option);
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
