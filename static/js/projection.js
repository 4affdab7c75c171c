/* The room's projection (templates/projection/screen.html): every few seconds ask the state endpoint
   whether anything changed, with the last ETag; a 304 costs nothing, a 200 brings the counters and the
   ranking already rendered, swapped in place in one go (no reload, no flash). A revoked link stops the
   polling and says so; a lost connection is shown and retried. */
(function () {
  "use strict";
  var root = document.getElementById("projection");
  if (!root || !window.fetch) return;
  var url = root.dataset.projectionState;
  var etag = root.dataset.etag;
  var interval = parseInt(root.dataset.interval, 10) || 3000;
  var regions = {
    participation: document.getElementById("projection-participation"),
    ranking: document.getElementById("projection-ranking")
  };
  var offline = document.getElementById("projection-offline");
  var revoked = document.getElementById("projection-revoked");
  var timer = null;
  var busy = false;

  function apply(data) {
    Object.keys(regions).forEach(function (name) {
      if (data.html && typeof data.html[name] === "string") regions[name].innerHTML = data.html[name];
    });
    root.dataset.revealed = data.revealed ? "true" : "false";
    document.querySelectorAll(".projection-status").forEach(function (el) { el.textContent = data.state_label; });
    document.querySelectorAll(".projection-title").forEach(function (el) { el.textContent = data.title; });
  }

  function poll() {
    if (busy) return;
    busy = true;
    fetch(url, { cache: "no-store", credentials: "same-origin", headers: { "If-None-Match": '"' + etag + '"', Accept: "application/json" } })
      .then(function (response) {
        offline.hidden = true;
        if (response.status === 304) return null;
        if (response.status === 404 || response.status === 403) {
          revoked.hidden = false;
          window.clearInterval(timer);
          return null;
        }
        if (!response.ok) throw new Error("status " + response.status);
        var fresh = (response.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
        return response.json().then(function (data) {
          etag = fresh || data.etag;
          root.dataset.etag = etag;
          apply(data);
        });
      })
      .catch(function () { offline.hidden = false; })
      .then(function () { busy = false; });
  }

  timer = window.setInterval(poll, interval);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });

  var fullscreen = document.getElementById("projection-fullscreen");
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
    document.addEventListener("fullscreenchange", function () { fullscreen.hidden = !!document.fullscreenElement; });
  }
})();
