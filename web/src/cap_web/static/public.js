// The public screens' script: a complaint the registry received clears its kept draft
// (the console keeps typed text in this browser until the server has it; see console.js).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      el.getAttribute("data-clear-draft").split(" ").forEach(function (key) {
        try { localStorage.removeItem("cap-draft:" + key); } catch (e) { /* storage refused */ }
      });
    });
  });
})();
