// A search box that narrows a long <select> (its options and option groups) to the words typed.
// Without JavaScript the box stays hidden and the select works as usual (type-ahead, keyboard).
(function () {
  "use strict";
  document.querySelectorAll("input[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    var count = document.getElementById(input.getAttribute("aria-describedby"));
    if (!select) { return; }
    input.hidden = false;
    var template = input.closest("div").getAttribute("data-count-template");
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var any = false;
        group.querySelectorAll("option").forEach(function (option) {
          var text = (group.label + " " + option.textContent).toLowerCase();
          var match = words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !match;
          option.disabled = !match && !option.selected;
          if (match) { any = true; shown += 1; }
        });
        group.hidden = !any;
      });
      if (count && template) {
        count.hidden = words.length === 0;
        count.textContent = template.replace("%s", String(shown));
      }
    }
    input.addEventListener("input", apply);
  });
})();
