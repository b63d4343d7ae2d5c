// Small touches on top of server-rendered pages; every page works without this file.
(function () {
  "use strict";

  // A suggested category, picked with one click on 电话受理.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-category]");
    if (pick) {
      var select = document.getElementById("f-category");
      if (select) { select.value = pick.getAttribute("data-pick-category"); select.focus(); }
    }
    var ask = event.target.closest("[data-confirm]");
    if (ask && !window.confirm(ask.getAttribute("data-confirm"))) { event.preventDefault(); }
  });

  // A plain form submits once: its button is disabled until the next page arrives.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      window.setTimeout(function () { b.disabled = true; }, 0);
    });
  });

  // The chosen files' names beside the Chinese file button.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("file-input")) { return; }
    var shown = document.querySelector(".file-names[data-for='" + input.id + "']");
    if (!shown) { return; }
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    shown.textContent = names.length ? names.join("、") : "未选择文件";
  });

  // Towns follow the chosen county.
  function filterTowns(region) {
    var towns = document.getElementById("f-town_code");
    if (!towns) { return; }
    towns.querySelectorAll("option[data-region]").forEach(function (o) {
      o.hidden = !!region && o.getAttribute("data-region") !== region;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "f-region_code") { filterTowns(event.target.value); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("f-region_code");
    if (region) { filterTowns(region.value); }
  });
})();
