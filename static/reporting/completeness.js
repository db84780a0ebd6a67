// Completeness pages: the filter forms submit when a choice changes, and choosing another data set
// clears the period (its type may differ); the "延期" button of a missing organisation fills the extension form.
// No inline handlers: the content security policy allows scripts from this origin only.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.form || !select.form.hasAttribute("data-autosubmit")) {
      return;
    }
    var cleared = select.getAttribute("data-clears");
    var period = cleared ? document.querySelector(cleared) : null;
    if (period) {
      period.selectedIndex = -1;  // no period sent: the server picks the data set's current round
    }
    select.form.submit();
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-extend-org]") : null;
    if (!button) {
      return;
    }
    var form = document.getElementById("extension-form");
    if (!form) {
      return;
    }
    var org = form.querySelector("[name=org]");
    org.value = button.getAttribute("data-extend-org");
    document.querySelectorAll("tr.extend-target").forEach(function (row) { row.classList.remove("extend-target"); });
    var row = button.closest("tr");
    if (row) {
      row.classList.add("extend-target");
    }
    var deadline = form.querySelector("[name=new_deadline]");
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    (deadline || org).focus();
  });

})();
