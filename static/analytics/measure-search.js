/* A search box above each long select marked data-search (the measure pickers of the analysis pages):
 * typing filters the options by name (every word must appear), hides the groups left empty, and keeps the
 * chosen option. The placeholder and the "nothing found" text come from the select's data attributes, so
 * they are translated on the server. No inline script: the content security policy forbids it. */
(function () {
  "use strict";

  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 measure-search";
    box.placeholder = select.getAttribute("data-search");
    box.setAttribute("aria-label", select.getAttribute("data-search"));
    box.setAttribute("aria-controls", select.id);
    var empty = document.createElement("div");
    empty.className = "form-text measure-search-empty";
    empty.textContent = select.getAttribute("data-search-empty") || "";
    empty.hidden = true;
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(empty, select.nextSibling);

    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var inGroup = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = (option.textContent + " " + group.label).toLowerCase();
          var match = option.selected || words.every(function (w) { return text.indexOf(w) >= 0; });
          option.hidden = !match;
          if (match) inGroup += 1;
        });
        group.hidden = inGroup === 0;
        shown += inGroup;
      });
      empty.hidden = shown > 0;
      if (words.length) select.size = Math.min(Math.max(shown, 2), 10); else select.removeAttribute("size");
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { select.focus(); event.preventDefault(); }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-search]"), attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
