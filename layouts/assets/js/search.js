// The search page: Pagefind's UI, started from the address (?q=words&unit=Core) so the
// search box in every page's header and a division's own search land on their results.
(function () {
  var element = document.getElementById("search");
  if (!element || !window.PagefindUI) return;
  var ui = new PagefindUI({
    element: "#search",
    baseUrl: element.dataset.base || "/",
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: "Search events, jobs, awards, news and pages" }
  });
  // Pagefind labels its field only with a placeholder: give it a real accessible name.
  var input = element.querySelector("input[type=text], input[type=search]");
  if (input) input.setAttribute("aria-label", "Search the site");
  var params = new URLSearchParams(window.location.search);
  var unit = params.get("unit");
  if (unit) ui.triggerFilters({ unit: [unit] });
  var query = params.get("q");
  if (query) ui.triggerSearch(query);
})();
