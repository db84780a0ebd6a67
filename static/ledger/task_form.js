// The task form: show only the target fields of the chosen target kind (all are shown without script).
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form) { return; }
  function update() {
    var checked = form.querySelector("input[name=target_kind]:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll(".target-fields").forEach(function (block) {
      var kinds = (block.getAttribute("data-kinds") || "").split(" ");
      block.hidden = kind !== "" && kinds.indexOf(kind) === -1;
    });
  }
  form.querySelectorAll("input[name=target_kind]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
