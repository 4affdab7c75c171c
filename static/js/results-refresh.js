/* Live results for facilitators and planners while a session is open (templates/results/session.html).
   Every 15 s, while the page is visible and not paused, fetch the page again and swap the results in
   when the ballots have changed (data-version); a polite live region says so. Without this script the
   page is complete; it simply does not refresh. */
(function () {
  "use strict";
  var controls = document.querySelector("[data-results-refresh]");
  if (!controls || !window.fetch || !window.DOMParser) return;
  var region = document.getElementById(controls.dataset.resultsRefresh);
  var status = controls.querySelector("[role=status]");
  var toggle = controls.querySelector(".results-refresh-toggle");
  var INTERVAL = 15000;
  var paused = false;
  var busy = false;

  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
    toggle.textContent = paused ? controls.dataset.resume : controls.dataset.pause;
  });

  function refresh() {
    if (paused || busy || document.hidden) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
        if (fresh && fresh.dataset.version !== region.dataset.version) {
          region.replaceWith(fresh);
          region = fresh;
          status.textContent = "";
          window.setTimeout(function () { status.textContent = controls.dataset.announce; }, 100);
        }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, INTERVAL);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
