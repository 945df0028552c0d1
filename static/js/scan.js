// Scanning a kit label with the camera inside the page, where the browser can read QR codes
// (BarcodeDetector). Elsewhere the phone's own camera app opens the label's link, and the
// typed code always works.
(function () {
  "use strict";
  var area = document.querySelector("[data-scan-camera]");
  if (!area || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var button = area.querySelector("[data-scan-start]");
  var video = area.querySelector("[data-scan-video]");
  var message = area.querySelector("[data-scan-message]");
  var form = document.querySelector("[data-scan-form]");
  area.hidden = false;

  function open(text) {
    var match = /\/kit\/([^/?#]+)/.exec(text);
    var input = form.querySelector("input[name=code]");
    input.value = match ? decodeURIComponent(match[1]) : text;
    form.submit();
  }

  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      button.hidden = true;
      message.textContent = "Hold the label in front of the camera.";
      return video.play().then(function () {
        function look() {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (track) { track.stop(); });
              message.textContent = "Found it. Opening the kit…";
              open(codes[0].rawValue);
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.setTimeout(look, 300); });
        }
        look();
      });
    }).catch(function () {
      message.textContent = "The camera could not be used. Type the code instead.";
    });
  });
})();
