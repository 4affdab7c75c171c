/* Paper ballot upload preview (templates/paper/preview.html): once "Import" is pressed, say that the
   import is running and stop a second press; focus the list of problems when there are any. */
(function () {
  "use strict";
  var problems = document.getElementById("preview-problems");
  if (problems) problems.focus();
  var form = document.getElementById("paper-confirm");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    var progress = document.getElementById("paper-progress");
    if (button.disabled) return;
    setTimeout(function () { button.disabled = true; }, 0);
    button.setAttribute("aria-busy", "true");
    if (progress) {
      progress.textContent = form.dataset.busy;
      progress.classList.remove("visually-hidden");
      progress.classList.add("alert", "alert-info");
    }
  });
})();
