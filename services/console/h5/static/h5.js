// Progressive enhancement of the citizen pages: photos compressed and uploaded as they are
// chosen, the map pin and geolocation, hints of nearby reports. Without it every form still posts.
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.8;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]; } catch (e) { return ""; }
  }

  function compress(file) {
    // A photo shrunk on a canvas to at most 1600 px and re-encoded as JPEG; the original if that fails.
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { resolve(file); return; }
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          resolve(blob && blob.size < file.size ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  function upload(file) {
    var data = new FormData();
    data.append("file", file);
    data.append("csrf_token", csrf());
    return fetch("/m/upload", { method: "POST", body: data, credentials: "same-origin",
                                headers: { "X-CSRF-Token": csrf() } })
      .catch(function () { throw new Error("网络不稳定，上传失败，请重试"); })
      .then(function (response) {
        if (response.redirected || !/json/.test(response.headers.get("content-type") || "")) {
          throw new Error("登录已过期，请刷新页面重新登录后再上传");
        }
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.detail || "上传失败，请重试"); }
          return body;
        });
      });
  }

  function added(list, id, file, text) {
    var item = document.createElement("span");
    item.className = "upload-done";
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "media_id"; hidden.value = id;
    item.appendChild(hidden);
    if (file && /^image\//.test(file.type)) {
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file); img.alt = "已上传的照片";
      item.appendChild(img);
    } else {
      item.appendChild(document.createTextNode(text));
    }
    list.appendChild(item);
  }

  function setUpPhotos(input) {
    var list = document.getElementById("photo-list"), status = document.getElementById("photo-status");
    var most = parseInt(list.getAttribute("data-most"), 10) || 5;
    input.addEventListener("change", function () {
      var room = most - list.querySelectorAll("img, .upload-done").length;
      var files = Array.prototype.slice.call(input.files, 0, Math.max(room, 0));
      if (input.files.length > files.length) { status.textContent = "最多上传 " + most + " 张照片"; }
      input.value = "";
      files.reduce(function (done, file) {
        return done.then(function () {
          status.textContent = "正在压缩并上传照片…";
          return compress(file).then(upload).then(function (stored) {
            added(list, stored.id, file, "照片");
            status.textContent = "已上传 " + list.querySelectorAll(".upload-done").length + " 张";
          });
        }).catch(function (failure) { status.textContent = failure.message; });
      }, Promise.resolve());
    });
  }

  function setUpFile(input) {
    var note = document.createElement("p");
    note.className = "muted small"; note.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(note);
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) { return; }
      note.textContent = "正在上传…";
      upload(file).then(function (stored) {
        input.value = "";
        input.hidden = true;
        added(note.parentNode, stored.id, null, "✓ 已上传" + stored.kind_name);
        note.textContent = "";
      }).catch(function (failure) { note.textContent = failure.message; });
    });
  }

  function setUpMap(box) {
    // The map needs Leaflet; tiles that cannot load leave a grey map where a tap still sets the pin.
    if (!window.L) { return; }
    box.hidden = false;
    var lat = document.getElementById("f-lat"), lng = document.getElementById("f-lng");
    var text = document.getElementById("pin-text"), locate = document.getElementById("locate");
    var start = lat.value ? [parseFloat(lat.value), parseFloat(lng.value)]
                          : [parseFloat(box.dataset.lat), parseFloat(box.dataset.lng)];
    var map = L.map(box, { zoomControl: true }).setView(start, lat.value ? 16 : 12);
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
    var pin = null;
    function place(point, zoom) {
      var ll = L.latLng(point);
      if (pin) { pin.setLatLng(ll); } else { pin = L.circleMarker(ll, { radius: 10, color: "#d4380d", fillOpacity: 0.8 }).addTo(map); }
      lat.value = ll.lat.toFixed(6); lng.value = ll.lng.toFixed(6);
      text.textContent = "已选位置：" + lat.value + ", " + lng.value;
      if (zoom) { map.setView(ll, zoom); }
      nearby();
    }
    if (lat.value) { place(start); }
    map.on("click", function (event) { place(event.latlng); });
    if (navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        text.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (where) {
          place([where.coords.latitude, where.coords.longitude], 16);
        }, function () { text.textContent = "无法定位，请在地图上点选事发地点"; }, { timeout: 10000 });
      });
    }
  }

  function nearby() {
    var target = document.getElementById("nearby");
    if (!target || !window.htmx) { return; }
    var params = new URLSearchParams({ lat: document.getElementById("f-lat").value,
                                       lng: document.getElementById("f-lng").value,
                                       category: (document.getElementById("f-category") || {}).value || "" });
    htmx.ajax("GET", "/m/report/nearby?" + params.toString(), { target: "#nearby", swap: "innerHTML" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var photos = document.querySelector("input[data-compress]");
    if (photos) { setUpPhotos(photos); }
    document.querySelectorAll("input[data-upload]").forEach(setUpFile);
    var box = document.getElementById("map");
    if (box) { setUpMap(box); }
  });
})();
