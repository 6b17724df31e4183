/* Site-wide behaviours declared in the markup with data attributes, so that no page needs an
   inline event handler or an inline script (the Content-Security-Policy runs neither):
   - <button data-print>                   prints the page;
   - <select data-autosubmit data-clear="name">  on change, empties the form's field "name"
                                            (if given) and submits the form;
   - <datalist id="x" data-for="id_field">  gives the input #id_field that list (a Django form
                                            field cannot name a datalist of the template's own);
   - an element with data-reload-when-finished, swapped in by htmx, reloads the page when the
     page was opened while the work was still running ([data-was-running]);
   - <button data-nav-toggle aria-controls="x" hidden>  the phone menu's button: shown, it folds
                                            the menu #x (the button's next sibling) and opens
                                            and closes it, saying so in aria-expanded; Escape
                                            closes it. Without this script the menu stays open;
   - <details data-nav-group>               a section of the menu: opening one closes the others;
                                            Escape or a click elsewhere closes it. */
(function () {
  "use strict";

  function setMenu(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function setUp(root) {
    root.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      setMenu(button, false);
      button.hidden = false;
    });
    root.querySelectorAll("datalist[data-for]").forEach(function (list) {
      var input = document.getElementById(list.dataset.for);
      if (input) input.setAttribute("list", list.id);
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-print]");
    if (button) { e.preventDefault(); window.print(); }
    var toggle = e.target.closest && e.target.closest("[data-nav-toggle]");
    if (toggle) setMenu(toggle, toggle.getAttribute("aria-expanded") !== "true");
    var inside = e.target.closest && e.target.closest("[data-nav-group]");
    closeGroups(inside);
  });

  function closeGroups(except) {
    document.querySelectorAll("[data-nav-group][open]").forEach(function (group) {
      if (group !== except) group.open = false;
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("[data-nav-group][open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); return; }
    document.querySelectorAll('[data-nav-toggle][aria-expanded="true"]').forEach(function (toggle) {
      if (toggle.hidden || !toggle.offsetParent) return; // the desktop menu is not folded
      setMenu(toggle, false);
      toggle.focus();
    });
  });

  document.addEventListener("change", function (e) {
    var select = e.target.closest && e.target.closest("[data-autosubmit]");
    if (!select || !select.form) return;
    var clear = select.dataset.clear && select.form.elements[select.dataset.clear];
    if (clear) clear.value = "";
    select.form.submit();
  });

  document.addEventListener("htmx:load", function (e) {
    var element = e.detail && e.detail.elt;
    if (!element || !element.matches) return;
    if (element.matches("[data-reload-when-finished]") && document.querySelector("[data-was-running]")) {
      location.reload();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
