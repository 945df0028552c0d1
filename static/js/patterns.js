// Pattern pages: once the printed sheet has been previewed, it follows the instructions
// and the name as staff type them (paragraphs and line breaks as Django's linebreaks
// filter makes them). Text only, never markup. The pages work fully without this file:
// "Preview the printed sheet" asks the server.
(function () {
  "use strict";

  var preview = document.querySelector("[data-sheet-preview]");
  if (!preview) { return; }
  var text = document.querySelector("[data-instructions-text]");
  var sheetText = preview.querySelector("[data-sheet-text]");
  var name = document.getElementById("id_name");
  var sheetName = preview.querySelector("[data-sheet-name]");

  function paragraphs(value) {
    var out = document.createDocumentFragment();
    value.replace(/\r\n?/g, "\n").trim().split(/\n{2,}/).forEach(function (block) {
      if (!block) { return; }
      var p = document.createElement("p");
      block.split("\n").forEach(function (line, index) {
        if (index) { p.appendChild(document.createElement("br")); }
        p.appendChild(document.createTextNode(line));
      });
      out.appendChild(p);
    });
    return out;
  }

  if (text && sheetText) {
    text.addEventListener("input", function () {
      sheetText.replaceChildren(paragraphs(text.value));
    });
  }
  if (name && sheetName) {
    name.addEventListener("input", function () { sheetName.textContent = name.value; });
  }
})();
