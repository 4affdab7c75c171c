/* Paper ballot entry (templates/paper/entry.html), for typing forms with the keyboard only.
   - Typing a strategy code (3.1, or 3,1) shows the strategy's title at once, from the page's datalist.
   - After a short pause the form is checked by the server with the same rules as the save and the
     import (paper.check); problems appear under their field. The server stays the judge on save.
   - Enter on the category list saves, as it does in the text fields.
   - A suggested label (the one after the last saved) is selected, so typing replaces it.
   Without this script the form works the same; titles and problems appear after saving. */
(function () {
  "use strict";
  var form = document.getElementById("paper-form");
  if (!form) return;
  var titles = {};
  document.querySelectorAll("#paper-strategies option").forEach(function (option) {
    titles[option.value] = option.textContent;
  });
  var label = document.getElementById("paper-label");
  if (label && document.activeElement === label && !label.readOnly) label.select();

  function normalise(value) { return value.trim().replace(",", "."); }

  function showTitle(input) {
    var target = document.getElementById(input.id + "-title");
    if (!target) return;
    var code = normalise(input.value);
    target.textContent = titles[code] || "";
  }

  var timer = null;
  var sequence = 0;
  var pending = null;
  function check() {
    if (!window.fetch || !window.FormData) return;
    var mine = ++sequence;
    if (pending) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    fetch(form.dataset.checkUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || mine !== sequence) return;
        var problems = data.problems || {};
        problems.ranking = (problems.ranking || []).concat(problems.row || []);
        form.querySelectorAll("[data-field]").forEach(function (box) {
          box.textContent = (problems[box.dataset.field] || []).join(" ");
        });
        var invalid = {
          label: !!(problems.label || []).length,
          category: !!(problems.category || []).length,
          organisation: !!(problems.organisation || []).length,
          ranking: !!problems.ranking.length
        };
        [["paper-label", "label"], ["paper-category", "category"], ["paper-organisation", "organisation"]].forEach(function (pair) {
          var element = document.getElementById(pair[0]);
          if (element) mark(element, invalid[pair[1]]);
        });
        form.querySelectorAll(".consult-paper-code").forEach(function (input) { mark(input, invalid.ranking); });
      })
      .catch(function () { /* the save checks again */ });
  }

  function mark(element, bad) {
    element.classList.toggle("is-invalid", bad);
    if (bad) element.setAttribute("aria-invalid", "true");
    else element.removeAttribute("aria-invalid");
  }

  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("consult-paper-code")) showTitle(event.target);
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 50);
  });
  // A check still on its way when the form is saved would answer after the save, with the session cookie
  // from before it, and wipe the "saved" message the save left in the cookie (seen on a busy server).
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    if (pending) pending.abort();
  });
  var category = document.getElementById("paper-category");
  if (category) {
    category.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      }
    });
  }
  form.querySelectorAll(".consult-paper-code").forEach(showTitle);
})();
