// Giving out kits: a button that ticks every kit on the page. The page works without it.
(function () {
  "use strict";
  var all = document.querySelector("[data-alloc-tick-all]");
  if (!all) { return; }
  var ticks = document.querySelectorAll("[data-alloc-tick]");
  all.hidden = false;
  all.addEventListener("click", function () {
    var every = Array.prototype.every.call(ticks, function (t) { return t.checked; });
    ticks.forEach(function (t) { t.checked = !every; });
    all.textContent = every ? all.getAttribute("data-tick-label") : all.getAttribute("data-untick-label");
  });
})();
