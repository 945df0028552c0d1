// Reading a kit label's QR code in browsers without BarcodeDetector (Firefox, Safari before
// 17, Chromium on a desktop): the same detect(video) that BarcodeDetector gives scan.js,
// done by jsQR (static/vendor/jsqr) on frames drawn into a canvas.
//
// jsQR is about 57 KB sent compressed, so it is fetched only when someone opens the camera,
// never with the page: the scan page stays light on a church hall's signal. Why jsQR: no
// dependencies, plain script (no worker from a blob: URL, which the site's CSP refuses),
// Apache-2.0, and the most used QR reader on npm; see DEVELOPERS.md.
(function () {
  "use strict";
  var script = document.currentScript;
  var libraryUrl = script && script.getAttribute("data-jsqr");
  // Frames are read at most this often: jsQR runs on the main thread, and an old phone
  // should still answer a tap while the camera is open.
  var EVERY_MS = 150;
  // A label fills a good part of the picture, so a smaller frame reads as well and faster.
  var LARGEST_SIDE = 640;
  var loading = null;

  function loadLibrary() {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = libraryUrl;
        tag.async = true;
        tag.onload = function () { window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR")); };
        tag.onerror = function () { loading = null; reject(new Error("jsQR could not be loaded")); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function decodeImageData(jsQR, image) {
    var found = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    return found && found.data ? [{ rawValue: found.data, format: "qr_code" }] : [];
  }

  function Detector(jsQR) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var last = 0;

    function frameOf(source) {
      var width = source.videoWidth || source.naturalWidth || source.width;
      var height = source.videoHeight || source.naturalHeight || source.height;
      if (!width || !height) { return null; }
      var scale = Math.min(1, LARGEST_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      return context.getImageData(0, 0, canvas.width, canvas.height);
    }

    // Like BarcodeDetector.detect: a promise of the codes seen, [] when there are none.
    this.detect = function (source) {
      var wait = Math.max(0, last + EVERY_MS - Date.now());
      return new Promise(function (resolve) {
        window.setTimeout(function () {
          last = Date.now();
          var image = frameOf(source);
          resolve(image ? decodeImageData(jsQR, image) : []);
        }, wait);
      });
    };
  }

  window.ScrubHubQr = {
    // A promise of a detector with detect(video, canvas or image), loading jsQR first.
    detector: function () {
      return loadLibrary().then(function (jsQR) { return new Detector(jsQR); });
    },
  };
})();
