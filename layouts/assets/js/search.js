// The search page: Pagefind's UI, started from the address (?q=words&unit=Core&sort=date) so
// the search box in every page's header and a division's own search land on their results.
// "Sort: Relevance / Newest first" loads the page again with the choice, the words and the
// filters chosen in the address, so a link keeps them too.
(function () {
  "use strict";
  var element = document.getElementById("search");
  if (!element || !window.PagefindUI) return;
  var sortBox = document.getElementById("search-sort");
  var status = document.getElementById("search-sort-status");
  var params = new URLSearchParams(window.location.search);
  var ui = null;

  function start(byDate, query, filters) {
    ui = new PagefindUI({
      element: "#search",
      baseUrl: element.dataset.base || "/",
      showImages: false,
      showSubResults: true,
      resetStyles: false,
      sort: byDate ? { date: "desc" } : null,
      openFilters: Object.keys(filters),
      // The summary is already in the excerpt; the date stays, so newest-first can be seen.
      processResult: function (result) {
        if (result.meta) delete result.meta.summary;
        return result;
      },
      translations: { placeholder: "Search events, jobs, awards, news and pages" }
    });
    // Pagefind labels its field only with a placeholder: give it a real accessible name.
    var input = element.querySelector("input[type=text], input[type=search]");
    if (input) input.setAttribute("aria-label", "Search the site");
    if (Object.keys(filters).length) ui.triggerFilters(filters);
    if (query) ui.triggerSearch(query);
  }

  // The filters ticked in Pagefind's panel: {type: ["event"], unit: ["Core"]}.
  function chosenFilters() {
    var chosen = {};
    element.querySelectorAll("input.pagefind-ui__filter-checkbox:checked").forEach(function (box) {
      (chosen[box.name] = chosen[box.name] || []).push(box.value);
    });
    return chosen;
  }

  function currentQuery() {
    var input = element.querySelector("input[type=text], input[type=search]");
    return input ? input.value : "";
  }

  var byDate = params.get("sort") === "date";
  // Filters come from the address: ?unit=Core (a division's search box), or any filter
  // chosen before a change of sort (?type=event&year=2025).
  var filters = {};
  ["type", "unit", "year"].forEach(function (name) {
    var values = params.getAll(name);
    if (values.length) filters[name] = values;
  });
  start(byDate, params.get("q") || "", filters);

  if (!sortBox) return;
  var checked = sortBox.querySelector("input[value=" + (byDate ? "date" : "relevance") + "]");
  checked.checked = true;
  sortBox.hidden = false;
  // After a change of sort the page is loaded again: put the keyboard back where it was.
  if (window.sessionStorage && sessionStorage.getItem("alagen-sort-changed")) {
    sessionStorage.removeItem("alagen-sort-changed");
    checked.focus();
    if (status) status.textContent = byDate ? "Results sorted newest first" : "Results sorted by relevance";
  }
  // Pagefind's UI cannot change its sort once started, and starting a second one on the same
  // page sometimes never shows results: load the page again with the choice in the address.
  sortBox.addEventListener("change", function (event) {
    var address = new URL(window.location.href);
    var query = currentQuery();
    if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
    ["type", "unit", "year"].forEach(function (name) { address.searchParams.delete(name); });
    var kept = chosenFilters();
    Object.keys(kept).forEach(function (name) {
      kept[name].forEach(function (value) { address.searchParams.append(name, value); });
    });
    if (event.target.value === "date") address.searchParams.set("sort", "date"); else address.searchParams.delete("sort");
    if (window.sessionStorage) sessionStorage.setItem("alagen-sort-changed", "1");
    window.location.replace(address.toString());
  });
})();
