// Points: the map (markers; tiles only when the operator set a tile server), "nearest
// first" from the phone's location (never sent to the server), and placing a point by
// clicking the map on the staff form. The pages work fully without this file.
(function () {
  "use strict";

  function toRad(d) { return d * Math.PI / 180; }
  function distanceKm(a, b) {
    var dLat = toRad(b[0] - a[0]), dLng = toRad(b[1] - a[1]);
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(toRad(a[0])) * Math.cos(toRad(b[0])) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  // Leaflet puts a string tooltip in as HTML; a point's name is typed by staff, so it goes
  // in as a text node and can never become markup.
  function textLabel(text) {
    var label = document.createElement("span");
    label.textContent = text;
    return label;
  }

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    var tiles = element.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 18,
        attribution: element.getAttribute("data-tile-attribution") || ""
      }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    return map;
  }

  // --- The public list and map ------------------------------------------------------------
  var mapElement = document.querySelector("[data-points-map]");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-point]"));
  if (mapElement && window.L && items.length) {
    var map = baseMap(mapElement);
    var bounds = [];
    items.forEach(function (item) {
      var at = [parseFloat(item.getAttribute("data-lat")), parseFloat(item.getAttribute("data-lng"))];
      var open = item.getAttribute("data-open") === "1";
      bounds.push(at);
      L.circleMarker(at, {
        radius: 11, weight: 3, color: "#0b4f6c",
        fillColor: open ? "#0b7a3e" : "#ffffff", fillOpacity: 1
      }).addTo(map).bindTooltip(textLabel(item.getAttribute("data-name")));
    });
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  } else if (mapElement) {
    mapElement.hidden = true;
  }

  var geoArea = document.querySelector("[data-geo-area]");
  var geoButton = document.querySelector("[data-geo-sort]");
  var geoMessage = document.querySelector("[data-geo-message]");
  var list = document.querySelector("[data-point-list]");
  if (geoArea && list && navigator.geolocation) {
    geoArea.hidden = false;
    geoButton.addEventListener("click", function () {
      geoMessage.textContent = geoButton.getAttribute("data-finding") || "…";
      navigator.geolocation.getCurrentPosition(function (position) {
        var here = [position.coords.latitude, position.coords.longitude];
        items.forEach(function (item) {
          var km = distanceKm(here, [parseFloat(item.getAttribute("data-lat")), parseFloat(item.getAttribute("data-lng"))]);
          item.setAttribute("data-km", km);
          var label = item.querySelector("[data-distance]");
          label.textContent = (km < 1 ? "Less than 1 km away" : "About " + km.toFixed(1) + " km away");
          label.hidden = false;
        });
        items.sort(function (a, b) { return a.getAttribute("data-km") - b.getAttribute("data-km"); });
        items.forEach(function (item) { list.appendChild(item); });
        geoMessage.textContent = "The nearest point is now first.";
      }, function () {
        geoMessage.textContent = "We could not tell where you are. Type the first part of your postcode instead.";
      }, { timeout: 15000, maximumAge: 600000 });
    });
  }

  // --- Staff: place a point by clicking the map -------------------------------------------
  var placeElement = document.querySelector("[data-place-map]");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  if (placeElement && window.L && lat && lng) {
    placeElement.hidden = false;
    // An empty form starts at the hub (data-start-lat/lng), else at Dundee.
    var start = [
      parseFloat(lat.value) || parseFloat(placeElement.getAttribute("data-start-lat")) || 56.46,
      parseFloat(lng.value) || parseFloat(placeElement.getAttribute("data-start-lng")) || -2.97
    ];
    var placeMap = baseMap(placeElement).setView(start, 13);
    var marker = L.circleMarker(start, { radius: 12, weight: 3, color: "#0b4f6c", fillColor: "#ffbf47", fillOpacity: 1 }).addTo(placeMap);
    placeMap.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      marker.setLatLng(event.latlng);
    });
    function moveMarker() {
      var at = [parseFloat(lat.value), parseFloat(lng.value)];
      if (!isNaN(at[0]) && !isNaN(at[1])) { marker.setLatLng(at); placeMap.panTo(at); }
    }
    lat.addEventListener("change", moveMarker);
    lng.addEventListener("change", moveMarker);
  }
})();
