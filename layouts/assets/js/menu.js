// The main menu without JavaScript is a row of <details> disclosures. This script adds what
// visitors expect where it runs: one section open at a time, Escape, a click elsewhere and
// focus moving out of it close it, and on narrow screens the whole menu folds behind one
// "Menu" button (folded by site.css from the first paint where scripts run, so nothing jumps).
(function () {
  "use strict";
  var nav = document.getElementById("main-menu");
  if (!nav) return;
  var sections = Array.prototype.slice.call(nav.querySelectorAll("details[data-mega]"));
  var button = nav.querySelector(".menu-button");
  var list = document.getElementById("main-menu-sections");

  function closeAll(except) {
    sections.forEach(function (d) { if (d !== except) d.open = false; });
  }
  sections.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) closeAll(d); });
    // Focus that leaves a section (its summary and panel) closes it, as in the W3C disclosure
    // navigation example: Tab or Shift+Tab out of an open panel leaves no panel over the page.
    // No relatedTarget (a click on the panel's text, another window) is not focus moving on;
    // a click elsewhere closes it below.
    d.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (d.open && next && !d.contains(next)) d.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = sections.filter(function (d) { return d.open; })[0];
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    } else if (button && button.getAttribute("aria-expanded") === "true" && nav.contains(document.activeElement)) {
      setExpanded(false);
      button.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!nav.contains(event.target)) closeAll(null);
  });

  function setExpanded(expanded) {
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    nav.classList.toggle("menu-open", expanded);
  }
  if (button && list) {
    nav.classList.add("has-menu-button");
    button.hidden = false;
    button.addEventListener("click", function () {
      setExpanded(button.getAttribute("aria-expanded") !== "true");
    });
  }
})();
