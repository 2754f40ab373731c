// The diagnostic's theme form: says "not saved yet" as soon as something is typed, and
// "not saved" when an autosave fails (the text stays in the page and in the draft).
(function () {
  "use strict";
  function state() { return document.getElementById("save-state"); }
  function say(kind, text) {
    var el = state();
    if (!el) { return; }
    el.setAttribute("data-state", kind);
    var idle = el.querySelector(".when-idle");
    if (idle) { idle.textContent = text; }
  }
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#theme-form")) {
      say("pending", "Modifications pas encore enregistrées.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    say("error", "Non enregistré : connexion perdue. Votre saisie est gardée dans ce navigateur.");
  });
  document.addEventListener("htmx:responseError", function () {
    say("error", "Non enregistré : réessayez avec le bouton « Enregistrer ce thème ».");
  });
})();
