// The ledger page: "查看完整" fetches an officer's full contact (audited on the server) and shows it in place.
(function () {
  "use strict";
  document.querySelectorAll("form.officer-reveal").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          var row = form.closest("tr");
          row.querySelector(".officer-phone").textContent = data.phone || "—";
          row.querySelector(".officer-email").textContent = data.email || "—";
          form.remove();
        })
        .catch(function () { form.submit(); });
    });
  });
})();
