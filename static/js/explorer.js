/* The explorer (and every page with its filters) from the keyboard and on a phone; everything here
   is an enhancement of a plain form.
   - "/" focuses the search box (unless the visitor is typing in a field); Escape in it clears it.
   - After htmx replaces the results, their count is read out through a polite live region.
   - After "More briefings", focus moves to the first of the new cards.
   - The Filters disclosure (and each "Show all") keeps its open/closed state across swaps; on a
     wide screen it starts open.
   - The map around a briefing (?around=N) opens scrolled to that briefing.
   - On a phone the open Filters are a panel over the page: "Show N briefings" (or Escape) closes it
     and brings the results into view; they were updated with each choice already. */
(function () {
  "use strict";
  var WIDE = window.matchMedia("(min-width: 52.0625rem)");
  var openState = {}; // disclosure id -> open, as the visitor left it

  function typingIn(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function restoreDisclosures() {
    var filters = document.getElementById("filters");
    if (!filters) return;
    if (!("filters" in openState)) openState.filters = WIDE.matches;
    document.querySelectorAll(".facets details[id]").forEach(function (details) {
      if (details.id in openState) details.open = openState[details.id];
    });
  }

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName === "DETAILS" && details.id && details.closest(".facets")) {
      openState[details.id] = details.open;
    }
  }, true);

  function closePanel() {
    var filters = document.getElementById("filters");
    if (!filters || !filters.open || WIDE.matches) return false;
    filters.open = false;
    var results = document.querySelector(".results");
    if (results) results.scrollIntoView({ block: "start" });
    filters.querySelector("summary").focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".show-results") && closePanel()) event.preventDefault();
  });

  // The search box searches as the visitor types (its own hx-trigger). The "change" it fires on
  // leaving would reach the form's trigger and search again, replacing the results, and the filter
  // the visitor tabbed to, a moment later.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "q") event.stopPropagation();
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && closePanel()) {
      event.preventDefault();
      return;
    }
    var search = document.getElementById("q");
    if (!search) return;
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingIn(document.activeElement)) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && event.target === search && search.value !== "") {
      event.preventDefault();
      search.value = "";
      search.dispatchEvent(new Event("search")); // the input's hx-trigger: update the results now
    }
  });

  var cardsBefore = null;
  var focusedId = null; // a filter the visitor ticked: focus returns to it once its disclosure is open again

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "load-more") {
      cardsBefore = document.querySelectorAll("#briefing-list .briefing-card").length;
    } else if (target && target.querySelector(".facets")) {
      var active = document.activeElement;
      focusedId = active && active.id && target.contains(active) ? active.id : null;
    }
  });

  // Before the new results are painted, so an open panel never blinks shut.
  document.addEventListener("htmx:afterSwap", restoreDisclosures);

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (cardsBefore !== null && (!target || !target.isConnected || target.id === "load-more")) {
      var firstNew = document.querySelectorAll("#briefing-list .briefing-card")[cardsBefore];
      cardsBefore = null;
      var link = firstNew && firstNew.querySelector("h3 a");
      if (link) link.focus();
      return;
    }
    if (target && target.isConnected && target.querySelector(".facets")) {
      restoreDisclosures();
      var again = focusedId && document.getElementById(focusedId);
      if (again && document.activeElement !== again) again.focus({ preventScroll: true });
      focusedId = null;
      var count = target.querySelector(".result-count");
      var announcer = document.getElementById("results-announcer");
      if (count && announcer) announcer.textContent = count.textContent.trim();
    }
  });

  function showCentre() {
    var centres = document.querySelectorAll(".influence-map .node.centre");
    for (var i = 0; i < centres.length; i++) {
      if (centres[i].getClientRects().length) return centres[i].scrollIntoView({ block: "center" });
    }
  }

  function start() {
    var hint = document.getElementById("search-hint");
    if (hint) hint.hidden = false;
    restoreDisclosures();
  }

  // A first load, and the page htmx puts back on Back/Forward.
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("DOMContentLoaded", showCentre);
  document.addEventListener("htmx:historyRestore", start);
})();
