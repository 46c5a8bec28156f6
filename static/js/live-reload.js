// Development only (the server includes this script only in development): reload the page when
// a content file, template or stylesheet is saved. Long-polls /_dev/reload; before reloading it
// fetches the page once, so a page that now fails to render keeps showing with a notice instead.
(function () {
  "use strict";
  var endpoint = "/_dev/reload";

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function notice(text) {
    var box = document.getElementById("live-reload-notice");
    if (!box) {
      box = document.createElement("p");
      box.id = "live-reload-notice";
      box.className = "live-reload-notice";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = text;
  }

  async function changes(since) {
    var url = since === null ? endpoint : endpoint + "?since=" + since;
    var response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    if (response.status === 404) { return null; }  // not a development server (any more)
    if (!response.ok) { throw new Error("live reload: " + response.status); }
    return (await response.json()).changes;
  }

  async function reloadWhenRenderable() {
    var response = await fetch(location.href, { cache: "no-store" });
    if (response.status >= 500) {
      notice("The page no longer renders (" + response.status + "): see the terminal running the server. It reloads when fixed.");
      return false;
    }
    location.reload();
    return true;
  }

  async function run() {
    var since = null;
    for (;;) {
      try {
        var now = await changes(since);
        if (now === null) { return; }
        if (since !== null && now !== since && await reloadWhenRenderable()) { return; }
        since = now;
      } catch (error) {
        await wait(1000);  // the server is restarting: try again shortly
      }
    }
  }

  run();
}());
