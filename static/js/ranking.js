/*
 * The ranking page, enhanced: two lists ("your ranking" and "the other strategies") with drag and drop
 * (SortableJS) and, for keyboard and screen-reader users, buttons on every strategy with announcements in a
 * live region. The numbered selects of the page stay in the form, hidden, and are kept in sync: the form
 * posts exactly what it posts without JavaScript. Every text comes from the page (templates/participation/
 * rank.html), translated there.
 */
(function () {
  "use strict";

  var form = document.getElementById("ranking-form");
  var ui = document.getElementById("ranking-ui");
  var itemUi = document.getElementById("ranking-item-ui");
  var placesTexts = document.getElementById("ranking-places-texts");
  if (!form || !ui || !itemUi || !placesTexts || typeof window.Sortable !== "function") {
    return; // the selects keep working
  }

  var depth = parseInt(form.getAttribute("data-depth"), 10);
  var announcer = document.getElementById("ranking-announcer");
  var places = document.getElementById("ranking-places");
  var original = document.getElementById("ranking-items");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function message(name, values) {
    var text = ui.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  var announceTimer = null;
  function announce(text) {
    // Emptied first, so that the same message twice in a row is read twice.
    window.clearTimeout(announceTimer);
    announcer.textContent = "";
    announceTimer = window.setTimeout(function () {
      announcer.textContent = text;
    }, 100);
  }

  // --- building the two lists -----------------------------------------------------------------

  var board = ui.content.firstElementChild.cloneNode(true);
  var ranked = board.querySelector(".consult-dnd-ranked");
  var others = board.querySelector(".consult-dnd-others");
  var empty = board.querySelector(".consult-dnd-empty");
  board.querySelector("[data-slot='places']").replaceWith(places);

  function selectOf(item) {
    return item.querySelector("select");
  }

  function codeOf(item) {
    return item.getAttribute("data-code");
  }

  var items = Array.prototype.slice.call(original.querySelectorAll(".consult-ranking-item"));
  items.forEach(function (item) {
    var controls = itemUi.content.cloneNode(true);
    var code = codeOf(item);
    controls.querySelectorAll(".visually-hidden").forEach(function (span) {
      span.textContent = span.textContent.split("{code}").join(code);
    });
    item.classList.add("consult-dnd-item");
    var text = item.querySelector(".consult-ranking-text");
    item.insertBefore(controls.querySelector(".consult-dnd-handle"), text);
    item.insertBefore(controls.querySelector(".consult-dnd-position"), text);
    var actionsBox = controls.querySelector(".consult-dnd-actions");
    // The numbered select (the form's own field) stays in view: it sends a strategy to a place directly.
    actionsBox.insertBefore(item.querySelector(".consult-position"), actionsBox.firstChild);
    item.appendChild(actionsBox);
  });

  // The saved (or sent back) ranking first, in its order; the rest in the plan's order.
  var placed = items
    .filter(function (item) {
      return selectOf(item).value !== "";
    })
    .sort(function (a, b) {
      return parseInt(selectOf(a).value, 10) - parseInt(selectOf(b).value, 10);
    });
  placed.slice(0, depth).forEach(function (item) {
    ranked.appendChild(item);
  });
  items.forEach(function (item) {
    if (item.parentNode !== ranked) {
      others.appendChild(item);
    }
  });

  original.replaceWith(board);
  form.classList.add("is-enhanced");

  // --- keeping everything in step ---------------------------------------------------------------

  function rankedItems() {
    return Array.prototype.slice.call(ranked.children);
  }

  function refresh() {
    board.querySelectorAll(".consult-dnd-refused").forEach(function (notice) {
      notice.remove();
    });
    var inRanking = rankedItems();
    inRanking.forEach(function (item, index) {
      selectOf(item).value = String(index + 1);
      item.querySelector("[data-slot='number']").textContent = String(index + 1);
      showActions(item, ["up", "down", "remove"]);
    });
    Array.prototype.forEach.call(others.children, function (item) {
      selectOf(item).value = "";
      item.querySelector("[data-slot='number']").textContent = "";
      showActions(item, ["add"]);
    });
    var left = Math.max(depth - inRanking.length, 0);
    var text = placesTexts.content.querySelector("[data-n='" + left + "']");
    places.textContent = text ? text.textContent.trim() : "";
    empty.hidden = inRanking.length > 0;
    board.classList.toggle("is-full", left === 0);
  }

  function showActions(item, visible) {
    item.querySelectorAll(".consult-dnd-actions button").forEach(function (button) {
      button.hidden = visible.indexOf(button.getAttribute("data-action")) === -1;
    });
  }

  function focusAction(item, action) {
    var button = item.querySelector("button[data-action='" + action + "']");
    if (button) {
      button.focus();
    }
  }

  function announceMove(item, from) {
    var code = codeOf(item);
    if (item.parentNode === ranked) {
      var position = rankedItems().indexOf(item) + 1;
      if (from === ranked) {
        announce(message("moved", { code: code, position: position, total: ranked.children.length }));
      } else {
        announce(message("added", { code: code, position: position }));
      }
    } else if (from === ranked) {
      announce(message("removed", { code: code }));
    }
  }

  function placeAmongOthers(item) {
    // The other strategies always show in the plan's order.
    var index = items.indexOf(item);
    var before = null;
    Array.prototype.some.call(others.children, function (other) {
      if (other !== item && items.indexOf(other) > index) {
        before = other;
        return true;
      }
      return false;
    });
    others.insertBefore(item, before);
  }

  // --- buttons ----------------------------------------------------------------------------------

  var actions = {
    up: function (item) {
      var previous = item.previousElementSibling;
      if (!previous) {
        return announce(message("first", { code: codeOf(item) }));
      }
      ranked.insertBefore(item, previous);
      done(item, ranked, "up");
    },
    down: function (item) {
      var next = item.nextElementSibling;
      if (!next) {
        return announce(message("last", { code: codeOf(item) }));
      }
      ranked.insertBefore(next, item);
      done(item, ranked, "down");
    },
    add: function (item) {
      if (ranked.children.length >= depth) {
        return refuseFull(item);
      }
      ranked.appendChild(item);
      done(item, others, "remove");
    },
    remove: function (item) {
      placeAmongOthers(item);
      done(item, ranked, "add");
    },
  };

  function refuseFull(item) {
    // Said on screen beside the strategy, and aloud through the live region.
    var notice = item.querySelector(".consult-dnd-refused");
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "consult-dnd-refused";
      item.appendChild(notice);
    }
    notice.textContent = message("full");
    announce(message("full"));
  }

  function sendTo(item, value) {
    // A strategy sent to a place with its select: "" takes it out of the ranking.
    var from = item.parentNode;
    if (value === "") {
      if (from === ranked) {
        placeAmongOthers(item);
      }
    } else {
      var inRanking = rankedItems().filter(function (other) {
        return other !== item;
      });
      if (from !== ranked && inRanking.length >= depth) {
        selectOf(item).value = "";
        return refuseFull(item);
      }
      var index = Math.min(parseInt(value, 10) - 1, inRanking.length);
      ranked.insertBefore(item, inRanking[index] || null);
    }
    refresh();
    selectOf(item).focus();
    if (from === ranked && item.parentNode === ranked) {
      announce(message("moved", { code: codeOf(item), position: rankedItems().indexOf(item) + 1, total: ranked.children.length }));
    } else {
      announceMove(item, from);
    }
  }

  board.addEventListener("change", function (event) {
    var select = event.target.closest("select");
    if (select && board.contains(select)) {
      sendTo(select.closest(".consult-dnd-item"), select.value);
    }
  });

  function done(item, from, focusOn) {
    refresh();
    focusAction(item, focusOn);
    announceMove(item, from);
  }

  board.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button || !board.contains(button)) {
      return;
    }
    actions[button.getAttribute("data-action")](button.closest(".consult-dnd-item"));
  });

  // --- drag and drop ----------------------------------------------------------------------------

  var common = {
    group: "consult-ranking",
    handle: ".consult-dnd-handle",
    draggable: ".consult-dnd-item",
    animation: reduceMotion ? 0 : 150,
    // Pointer events rather than the browser's own drag and drop: the same behaviour with a mouse, a pen
    // or a finger.
    forceFallback: true,
    fallbackOnBody: true,
    ghostClass: "consult-dnd-ghost",
    chosenClass: "consult-dnd-chosen",
    dragClass: "consult-dnd-drag",
    onEnd: function (event) {
      if (event.from === event.to && event.oldIndex === event.newIndex) {
        return;
      }
      if (event.to === others) {
        placeAmongOthers(event.item);
      }
      refresh();
      announceMove(event.item, event.from);
    },
  };

  window.Sortable.create(ranked, Object.assign({}, common, {
    group: {
      name: "consult-ranking",
      // A full ranking takes no more: the person removes one first.
      put: function (to, from) {
        return from.el === to.el || to.el.children.length < depth;
      },
    },
  }));
  window.Sortable.create(others, Object.assign({}, common, { sort: false }));

  refresh();
})();
