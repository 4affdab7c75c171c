/* Live counters on a session's console page (templates/facilitate/session.html). Every 10 s, while the
   page is visible, read the counters' JSON and write the numbers into the elements marked data-counter.
   Without this script the page is complete; it simply does not refresh. */
(function () {
  "use strict";
  var region = document.getElementById("live-counters");
  if (!region || !window.fetch) return;
  var url = region.dataset.countersUrl;
  var status = region.querySelector("[data-counter-status]");
  var INTERVAL = 10000;
  var busy = false;

  function lookup(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === undefined || value === null ? undefined : value[key];
    }, data);
  }

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (className) element.className = className;
    return element;
  }

  function update(data) {
    var changed = false;
    region.querySelectorAll("[data-counter]").forEach(function (element) {
      var value = lookup(data, element.dataset.counter);
      if (value !== undefined && element.textContent !== String(value)) {
        element.textContent = String(value);
        changed = true;
      }
    });
    var body = region.querySelector("[data-counter-categories]");
    if (body && data.by_category.length) {
      var rows = data.by_category.map(function (row) {
        var tr = document.createElement("tr");
        var th = cell("th", row.name);
        th.scope = "row";
        tr.appendChild(th);
        tr.appendChild(cell("td", String(row.participants), "text-end"));
        tr.appendChild(cell("td", String(row.ballots), "text-end"));
        return tr;
      });
      var before = body.textContent;
      body.replaceChildren.apply(body, rows);
      if (body.textContent !== before) changed = true;
    }
    if (changed && status) status.textContent = region.dataset.announce;
  }

  function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) update(data); })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, INTERVAL);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
