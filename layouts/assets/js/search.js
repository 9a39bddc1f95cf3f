// The search page: Pagefind's UI, started from the address (?q=words&unit=Core&sort=date) so
// the search box in every page's header and a division's own search land on their results.
// "Sort: Relevance / Newest first" restarts the UI with Pagefind's date sort, keeping the
// words and the filters chosen, and puts the choice in the address so a link keeps it.
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
  var filters = params.get("unit") ? { unit: [params.get("unit")] } : {};
  start(byDate, params.get("q") || "", filters);

  if (!sortBox) return;
  sortBox.querySelector("input[value=" + (byDate ? "date" : "relevance") + "]").checked = true;
  sortBox.hidden = false;
  sortBox.addEventListener("change", function (event) {
    var newest = event.target.value === "date";
    var query = currentQuery();
    var kept = chosenFilters();
    ui.destroy();
    element.textContent = "";
    start(newest, query, kept);
    if (status) status.textContent = newest ? "Results sorted newest first" : "Results sorted by relevance";
    var address = new URL(window.location.href);
    if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
    if (newest) address.searchParams.set("sort", "date"); else address.searchParams.delete("sort");
    window.history.replaceState(null, "", address);
  });
})();
