// The console's only script (no inline script: the Content-Security-Policy forbids it).
// 1. Drafts: every form marked data-draft keeps what is typed in this browser (localStorage)
//    until the server has it, so a lost connection or an expired session loses nothing.
// 2. A banner when the network is lost; htmx requests that fail keep the draft.
// 3. A form submitted twice sends once (buttons disabled while it is in flight).
(function () {
  "use strict";
  var PREFIX = "cap-draft:";

  function draftKey(form) {
    return PREFIX + (form.getAttribute("data-draft") || form.getAttribute("action") || location.pathname);
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "idempotency_key" && el.type !== "file" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
  }

  function saveDraft(form) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { data[el.name + "=" + el.value] = true; }
      } else {
        data[el.name] = el.value;
      }
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), data: data })); } catch (e) { /* full */ }
  }

  function restoreDraft(form) {
    var raw;
    try { raw = localStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return; }
    var restored = false;
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "=" + el.value;
        var want = !!draft.data[key];
        if (el.checked !== want && Object.keys(draft.data).some(function (k) { return k.indexOf(el.name + "=") === 0; })) {
          el.checked = want; restored = true;
        }
      } else if (Object.prototype.hasOwnProperty.call(draft.data, el.name) && el.value !== draft.data[el.name]) {
        el.value = draft.data[el.name]; restored = true;
      }
    });
    if (restored) {
      var note = form.querySelector(".draft-note");
      if (note) { note.hidden = false; }
      form.setAttribute("data-restored", "1");
    }
  }

  function clearDraft(form) {
    try { localStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ }
  }

  function init(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form.getAttribute("data-draft-ready")) { return; }
      form.setAttribute("data-draft-ready", "1");
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
    });
  }

  // A form the server accepted (a whole-page POST answered by a redirect) clears its draft on
  // the next page: the server says so with data-saved on <main>.
  function clearSaved() {
    var main = document.getElementById("contenu");
    var saved = main && main.getAttribute("data-saved");
    if (saved) { saved.split(" ").forEach(function (k) { try { localStorage.removeItem(PREFIX + k); } catch (e) { /* */ } }); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-submitting")) { event.preventDefault(); return; }
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-put") || form.hasAttribute("hx-patch")) { return; }
    if (form.hasAttribute("data-draft")) { saveDraft(form); }
    form.setAttribute("data-submitting", "1");
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    setTimeout(function () { form.removeAttribute("data-submitting"); }, 8000);
  });

  var banner = function () { return document.getElementById("offline"); };
  window.addEventListener("offline", function () { var b = banner(); if (b) { b.hidden = false; } });
  window.addEventListener("online", function () { var b = banner(); if (b) { b.hidden = true; } });

  document.addEventListener("htmx:sendError", function () { var b = banner(); if (b) { b.hidden = false; } });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status > 0) { var b = banner(); if (b && navigator.onLine) { b.hidden = true; } }
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form[data-draft]") : null;
    if (form && event.detail.successful) { clearDraft(form); }
  });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.detail.target || document); });

  document.addEventListener("DOMContentLoaded", function () {
    clearSaved();
    init(document);
    if (!navigator.onLine) { var b = banner(); if (b) { b.hidden = false; } }
  });

  window.CapConsole = { saveDraft: saveDraft, clearDraft: clearDraft, init: init };
})();
