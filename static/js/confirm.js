// Every page: a form carrying data-confirm asks its question before it is posted (deletes, issuing, locking …).
// No inline handlers: the content security policy allows scripts from this origin only.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
