/* The colour theme. Without a choice the system setting applies (prefers-color-scheme).
   A visitor's explicit choice, "light" or "dark", is kept in this browser's localStorage under
   "theme" and never sent anywhere (no cookie). This file is loaded in <head> without defer, so
   the choice is on <html data-theme> before the first paint; the header's control is shown only
   when this script runs. */
(function () {
  "use strict";
  var KEY = "theme";
  var root = document.documentElement;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : "system";
    } catch (error) {
      return "system"; // storage switched off: the system setting applies
    }
  }

  function apply(choice) {
    if (choice === "light" || choice === "dark") root.setAttribute("data-theme", choice);
    else root.removeAttribute("data-theme");
  }

  function remember(choice) {
    try {
      if (choice === "light" || choice === "dark") window.localStorage.setItem(KEY, choice);
      else window.localStorage.removeItem(KEY);
    } catch (error) { /* nothing to remember it in: it lasts for this page */ }
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("theme-choice");
    if (!select) return;
    select.value = stored();
    select.closest(".theme-choice").hidden = false;
    select.addEventListener("change", function () {
      remember(select.value);
      apply(select.value);
    });
    // Another tab changed the choice: follow it.
    window.addEventListener("storage", function (event) {
      if (event.key !== KEY && event.key !== null) return;
      select.value = stored();
      apply(select.value);
    });
  });
})();
