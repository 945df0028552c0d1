// Scanning a kit label with the camera inside the page: with the browser's BarcodeDetector
// where it has one, else with jsQR, fetched only when the camera opens (qr-fallback.js).
// The phone's own camera app opens the label's link too, and the typed code always works.
(function () {
  "use strict";
  var area = document.querySelector("[data-scan-camera]");
  var native = "BarcodeDetector" in window;
  if (!area || !navigator.mediaDevices || !(native || window.ScrubHubQr)) { return; }
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
    var detector = null;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      var ready = native
        ? Promise.resolve(new window.BarcodeDetector({ formats: ["qr_code"] }))
        : window.ScrubHubQr.detector();
      return ready.then(function (found) { detector = found; return stream; }, function (problem) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        throw problem;
      });
    }).then(function (stream) {
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
