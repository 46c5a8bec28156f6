// "Copy BibTeX" on a briefing page. Without JavaScript the button stays hidden and the entry
// is plain selectable text; with it, one click copies the entry and says so in a live region.
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    var text = source.textContent;
    function say(message) { if (status) status.textContent = message; }
    function fallback() {
      selectText(source);
      say("Selected: press Ctrl+C (or ⌘C) to copy.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say("Copied to the clipboard."); }, fallback);
    } else {
      fallback();
    }
  }

  function init() {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
