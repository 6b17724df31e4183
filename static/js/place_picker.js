/* The community picker (core.widgets.PlacePicker): <fieldset data-place-picker> holds one
   <fieldset data-pp-street> a street, with its whole-street box [data-pp-all] and its
   communities' boxes. Without this script those are plain checkboxes (the server adds a ticked
   street's communities). With it: a search box filters communities and streets by name, a
   street's box ticks and unticks all its communities (half-ticked when some are chosen), and
   the count of chosen communities is kept and announced. No inline handlers (CSP). */
(function () {
  "use strict";

  function boxes(street) {
    return Array.prototype.slice.call(street.querySelectorAll(".pp-options input[type=checkbox]"));
  }

  function refresh(picker) {
    var total = 0;
    picker.querySelectorAll("[data-pp-street]").forEach(function (street) {
      var all = street.querySelector("[data-pp-all]");
      var list = boxes(street);
      var chosen = list.filter(function (b) { return b.checked; }).length;
      total += chosen;
      if (all) {
        all.checked = list.length > 0 && chosen === list.length;
        all.indeterminate = chosen > 0 && chosen < list.length;
      }
    });
    var count = picker.querySelector("[data-pp-count]");
    if (count) count.textContent = count.dataset.text.replace("%(n)s", String(total));
  }

  function filter(picker, text) {
    var words = text.trim().toLowerCase();
    var shown = 0;
    picker.querySelectorAll("[data-pp-street]").forEach(function (street) {
      var streetMatches = words && (street.dataset.ppName || "").toLowerCase().indexOf(words) >= 0;
      var inStreet = 0;
      street.querySelectorAll(".pp-option").forEach(function (option) {
        var show = !words || streetMatches || option.dataset.ppName.toLowerCase().indexOf(words) >= 0;
        option.hidden = !show;
        if (show) inStreet += 1;
      });
      street.hidden = inStreet === 0;
      shown += inStreet;
    });
    var none = picker.querySelector("[data-pp-none]");
    if (none) none.hidden = shown > 0;
  }

  function setUp(picker) {
    if (picker.dataset.ppReady) return;
    picker.dataset.ppReady = "1";
    var tools = picker.querySelector("[data-pp-tools]");
    if (tools) tools.hidden = false;
    var search = picker.querySelector("[data-pp-search]");
    if (search) {
      search.addEventListener("input", function () { filter(picker, search.value); });
      search.addEventListener("keydown", function (e) {
        if (e.key === "Enter") e.preventDefault(); // filtering, not sending the form
      });
    }
    picker.addEventListener("change", function (e) {
      var box = e.target;
      if (box.matches("[data-pp-all]")) {
        var street = box.closest("[data-pp-street]");
        boxes(street).forEach(function (b) { b.checked = box.checked; });
      }
      refresh(picker);
    });
    refresh(picker);
  }

  function all() { document.querySelectorAll("[data-place-picker]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
