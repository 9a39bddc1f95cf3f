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
  var PAGE_SIZE = 5; // results shown at first and added by each "Load more results"

  function start(byDate, query, filters) {
    ui = new PagefindUI({
      element: "#search",
      baseUrl: element.dataset.base || "/",
      showImages: false,
      showSubResults: true,
      pageSize: PAGE_SIZE,
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

  // Results said to screen readers (WCAG 4.1.3, status messages): "Showing 5 of 42 results
  // for “forum”", in the polite live region #search-results-status. Pagefind's own message
  // cannot be the live region: it is a new element at each search, and a live region must
  // already be on the page when its text changes. It is told once the results settle: a
  // second after the last keystroke (not at each letter) and half a second after Pagefind
  // last changed the results (a new search, a filter, "Load more results", a result filled in).
  function announceResults() {
    var live = document.getElementById("search-results-status");
    if (!live || !window.MutationObserver) return;
    var TYPING_MS = 1000;
    var QUIET_MS = 500;
    var lastInput = 0;
    var lastChange = Date.now();
    var timer = null;
    var said = "";
    var focusFrom = -1; // after "Load more results": the first new result, to be focused

    function results() {
      return element.querySelectorAll(".pagefind-ui__results > .pagefind-ui__result");
    }

    // The filters ticked, as "type: event; unit: Core".
    function filterWords() {
      var chosen = chosenFilters();
      return Object.keys(chosen).map(function (name) { return name + ": " + chosen[name].join(", "); }).join("; ");
    }

    // What to say, or null while Pagefind is still searching.
    function message() {
      var query = currentQuery().trim();
      if (!query) return "";
      // Pagefind shows its list (empty if nothing matched) only once a search has ended.
      if (!element.querySelector(".pagefind-ui__results-area .pagefind-ui__results")) return null;
      var shown = element.querySelector(".pagefind-ui__results-area .pagefind-ui__message");
      var count = shown && shown.textContent.match(/^\s*(\d[\d,.\s]*)/);
      var total = count ? parseInt(count[1].replace(/\D/g, ""), 10) : 0;
      var listed = results().length;
      var words = "for “" + query + "”";
      var filtered = filterWords();
      if (filtered) words += ", filtered by " + filtered;
      if (total === 0) return "No results " + words;
      if (total === 1) return "1 result " + words;
      if (listed < total) return "Showing " + listed + " of " + total + " results " + words;
      return (total > PAGE_SIZE ? "Showing all " : "") + total + " results " + words;
    }

    function focusNewResult() {
      if (focusFrom < 0) return;
      var first = results()[focusFrom];
      var link = first && first.querySelector(".pagefind-ui__result-link");
      if (!link) return; // not filled in yet
      var at = document.activeElement;
      // Only if the keyboard is still on the button (or lost with it): never taken from
      // somewhere the user has gone since.
      if (!at || at === document.body || (at.classList && at.classList.contains("pagefind-ui__button"))) link.focus();
      focusFrom = -1;
    }

    function update() {
      timer = null;
      var wait = Math.max(lastInput + TYPING_MS, lastChange + QUIET_MS) - Date.now();
      if (wait > 0) {
        timer = setTimeout(update, wait);
        return;
      }
      var text = message();
      if (text === null) return; // still searching: the results to come will call again
      if (text !== said) live.textContent = said = text;
    }

    function later() {
      if (!timer) timer = setTimeout(update, QUIET_MS);
    }

    new MutationObserver(function () {
      lastChange = Date.now();
      focusNewResult();
      later();
    }).observe(element, { childList: true, subtree: true, characterData: true });
    element.addEventListener("input", function (event) {
      if (!event.target.classList.contains("pagefind-ui__search-input")) return;
      lastInput = Date.now();
      focusFrom = -1;
      later();
    });
    element.addEventListener("change", function () { focusFrom = -1; });
    // "Load more results" adds results above itself and is removed once all are shown.
    // Keeping focus on it would leave the new results behind the user, and losing it with
    // the button would send the keyboard back to the top of the page. W3C's ARIA Authoring
    // Practices have no "load more" pattern; following WCAG 2.4.3 (focus order) and the
    // usual advice for such buttons, focus moves where the user asked to go, the first new
    // result's link, and the live region says how many are now shown.
    // Listened for before the button's own handler (capture), while the new results are not there yet.
    element.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".pagefind-ui__button");
      if (button) focusFrom = results().length;
    }, true);
    later();
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
  announceResults();

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
