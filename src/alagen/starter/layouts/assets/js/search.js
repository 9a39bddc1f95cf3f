// The search page: Pagefind's UI, started with the words from the address (?q=...).
(function () {
  var element = document.getElementById("search");
  if (!element || !window.PagefindUI) return;
  var ui = new PagefindUI({ element: "#search", baseUrl: element.dataset.base || "/", showImages: false });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
