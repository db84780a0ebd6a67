// The organisation tree: a button before each node with children opens and closes its list (the first
// opening loads the children through htmx, declared on the button itself).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".org-tree .org-toggle");
    if (!button) { return; }
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) { return; }
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    list.hidden = !open;
  });
})();
