// Hub staff pages: small enhancements; every page works without this file.
(function () {
  "use strict";
  // A block shown for any of several answers: data-reveal-when-any="kind=cutting,notions".
  document.querySelectorAll("[data-reveal-when-any]").forEach(function (block) {
    var spec = block.getAttribute("data-reveal-when-any").split("=");
    var wanted = spec[1].split(",");
    var inputs = document.querySelectorAll('[name="' + spec[0] + '"]');
    function update() {
      var value = "";
      inputs.forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") { if (input.checked) { value = input.value; } }
        else { value = input.value; }
      });
      block.hidden = wanted.indexOf(value) === -1;
    }
    inputs.forEach(function (input) { input.addEventListener("change", update); });
    update();
  });
})();
