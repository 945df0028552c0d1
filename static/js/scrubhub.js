// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to a form's error summary so screen readers announce it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Fields shown only for one answer of another (e.g. the guardian's details for 16–17).
  document.querySelectorAll("[data-reveal-when]").forEach(function (block) {
    var spec = block.getAttribute("data-reveal-when").split("=");
    var inputs = document.querySelectorAll('[name="' + spec[0] + '"]');
    function update() {
      var value = "";
      inputs.forEach(function (input) {
        if ((input.type === "radio" || input.type === "checkbox")) { if (input.checked) { value = input.value; } }
        else { value = input.value; }
      });
      block.hidden = value !== spec[1];
    }
    inputs.forEach(function (input) { input.addEventListener("change", update); });
    update();
  });

  // Buttons that print the page (labels, letters, delivery notes).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
