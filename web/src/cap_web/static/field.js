// Field mode of a diagnostic's theme page: it keeps working without network.
// - The service worker (/sw.js) keeps this page and the diagnostic's other theme pages.
// - Every answer typed is kept in this browser (IndexedDB, one record per criterion, with the
//   server version it was typed over and an id generated here) until the server has it.
// - Online, the page's autosave (htmx) sends as before; what it could not send is sent when the
//   network is back, to /diagnostics/{id}/synchro (the console sends it on with the API's batch
//   upsert: the ids, an Idempotency-Key, If-Match).
// - The page always says what is saved on the server and what waits in the browser; when
//   someone else saved another answer on the same criterion, both versions are shown and the
//   person chooses. Nothing is overwritten silently.
(function () {
  "use strict";
  if (!window.indexedDB || !window.Promise) { return; }
  var DB_NAME = "cap-field";
  var STORE = "answers";
  var WORDS = {
    saved: "Enregistrée sur le serveur",
    empty: "Pas encore de réponse sur le serveur",
    waiting: "En attente d'envoi — gardée dans ce navigateur",
    conflict: "Conflit : choisissez la version à garder",
    error: "Non enregistrée"
  };
  var dbPromise = null;
  var syncing = false;
  var timers = {};
  var sentSeq = null;
  var counter = 0;
  var shown = [];
  var pendingSubmit = null;

  // -- the page ------------------------------------------------------------------------------
  function form() { return document.querySelector("form[data-field]"); }
  function ctx() {
    var f = form();
    if (!f || !f.getAttribute("data-field")) { return null; }
    return {
      form: f,
      diagnostic: f.getAttribute("data-field"),
      theme: f.getAttribute("data-field-theme"),
      person: f.getAttribute("data-field-person") || "?",
      sep: f.getAttribute("data-field-sep") || "-",
      sync: f.getAttribute("data-field-sync") || "/diagnostics/" + f.getAttribute("data-field") + "/synchro",
      page: location.pathname + (f.getAttribute("data-field-sep") ? "?theme=" + encodeURIComponent(f.getAttribute("data-field-theme")) : "")
    };
  }
  function sections() { var f = form(); return f ? Array.prototype.slice.call(f.querySelectorAll("[data-urn]")) : []; }
  function sectionOf(urn) {
    return sections().filter(function (s) { return s.getAttribute("data-urn") === urn; })[0] || null;
  }
  function bases() {
    var el = document.getElementById("f-base");
    try { return JSON.parse((el && el.value) || "{}"); } catch (e) { return {}; }
  }
  function baseOf(section) {
    var all = bases();
    var urn = section.getAttribute("data-urn");
    return Object.prototype.hasOwnProperty.call(all, urn) ? all[urn] : section.getAttribute("data-base");
  }
  function setBase(urn, signature) {
    var section = sectionOf(urn);
    if (section && section.hasAttribute("data-base")) { section.setAttribute("data-base", signature); }
    var el = document.getElementById("f-base");
    if (!el) { return; }
    var all = bases();
    all[urn] = signature;
    el.value = JSON.stringify(all);
  }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (e) { return ""; }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function name(section, prefix) { return prefix + ((ctx() || {}).sep || "-") + section.getAttribute("data-key"); }
  function field(section, prefix) {
    return section.querySelector("[name='" + name(section, prefix) + "']");
  }
  function read(section) {
    var checked = section.querySelector("input[name='" + name(section, "level") + "']:checked");
    var evidence = field(section, "evidence");
    return {
      choice: checked ? checked.value : "",
      reason: (field(section, "reason") || {}).value || "",
      comment: (field(section, "comment") || {}).value || "",
      evidence: evidence ? evidence.value : null // no evidence field: the stored evidence is kept
    };
  }
  function apply(section, values) {
    section.querySelectorAll("input[name='" + name(section, "level") + "']").forEach(function (r) { r.checked = r.value === values.choice; });
    ["reason", "comment", "evidence"].forEach(function (n) {
      var el = field(section, n);
      if (el && values[n] !== null && values[n] !== undefined) { el.value = values[n]; } else if (el) { el.value = ""; }
    });
  }

  // -- IndexedDB -----------------------------------------------------------------------------
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "id" }); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode);
        var out = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out ? out.result : undefined); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function recordId(c, urn) { return c.person + "|" + c.diagnostic + "|" + urn; }
  function all(c) {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (r) { return r.person === c.person && r.diagnostic === c.diagnostic; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function everyone(c) {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (r) { return r.person === c.person; }).sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function get(id) { return tx("readonly", function (s) { return s.get(id); }); }
  function put(rec) { return tx("readwrite", function (s) { s.put(rec); }); }
  function drop(id) { return tx("readwrite", function (s) { s.delete(id); }); }

  // -- what the page shows -------------------------------------------------------------------
  function badge(section, state, message) {
    var el = section.querySelector(".field-badge");
    if (!el) { return; }
    el.setAttribute("data-state", state);
    el.textContent = WORDS[state] + (message ? " : " + message : "");
  }
  function note(text, link) {
    var el = document.querySelector("#field-state .field-note");
    if (!el) { return; }
    el.textContent = text || "";
    if (link) {
      var a = document.createElement("a");
      a.href = link.href; a.textContent = link.text;
      el.appendChild(document.createTextNode(" ")); el.appendChild(a);
    }
    el.hidden = !text;
  }
  function conflictBox(section, rec) {
    var box = section.querySelector(".field-conflict");
    if (!box) { return; }
    box.textContent = "";
    if (!rec || rec.state !== "conflict") { box.hidden = true; return; }
    var code = rec.conflict.code;
    var set = document.createElement("fieldset");
    set.className = "conflict";
    var legend = document.createElement("legend");
    legend.textContent = "Modifié entre-temps par une autre personne (" + code + ") : quelle version garder ?";
    set.appendChild(legend);
    [["Votre saisie, gardée dans ce navigateur : ", rec.conflict.mine + (rec.changedSince ? " (modifiée depuis)" : "")],
      ["La version enregistrée sur le serveur : ", rec.conflict.theirs]].forEach(function (pair) {
      var p = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = pair[0];
      p.appendChild(strong); p.appendChild(document.createTextNode(pair[1]));
      set.appendChild(p);
    });
    var actions = document.createElement("div");
    actions.className = "actions";
    [["mine", "Garder ma saisie", ""], ["theirs", "Garder la version enregistrée", "secondary"]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button"; button.className = b[2];
      button.setAttribute("data-keep", b[0]);
      button.textContent = b[1];
      actions.appendChild(button);
    });
    set.appendChild(actions);
    box.appendChild(set);
    box.hidden = false;
  }
  function show(c) {
    return everyone(c).then(function (every) {
      var recs = every.filter(function (r) { return r.diagnostic === c.diagnostic; });
      shown = recs;
      var mine = {};
      recs.forEach(function (r) { mine[r.urn] = r; });
      sections().forEach(function (section) {
        var rec = mine[section.getAttribute("data-urn")];
        if (rec) {
          badge(section, rec.state, rec.state === "error" ? rec.message : "");
        } else {
          badge(section, section.getAttribute("data-answer-id") ? "saved" : "empty");
        }
        conflictBox(section, rec);
      });
      var saved = sections().filter(function (s) { return s.getAttribute("data-answer-id"); }).length;
      var waiting = every.filter(function (r) { return r.state === "waiting"; });
      var conflicts = recs.filter(function (r) { return r.state === "conflict"; });
      var elsewhere = waiting.filter(function (r) { return r.theme !== c.theme || r.diagnostic !== c.diagnostic; });
      var count = document.getElementById("field-saved-count");
      if (count) { count.textContent = String(saved); }
      var w = document.querySelector("#field-state .field-waiting");
      var wc = document.getElementById("field-waiting-count");
      if (wc) { wc.textContent = String(waiting.length) + (elsewhere.length ? " (dont " + elsewhere.length + " sur d'autres thèmes ou diagnostics)" : ""); }
      if (w) { w.hidden = !every.length; }
      var state = document.getElementById("field-state");
      if (state) { state.setAttribute("data-waiting", String(waiting.length)); state.setAttribute("data-conflicts", String(conflicts.length)); }
      if (conflicts.length) {
        var other = conflicts.filter(function (r) { return r.theme !== c.theme; })[0];
        note(conflicts.length + " conflit(s) à résoudre : pour chacun, choisissez la version à garder.",
          other ? { href: other.page || "/diagnostics/" + c.diagnostic + "/themes/" + other.theme, text: "Voir le thème " + other.theme } : null);
      } else if (!navigator.onLine && waiting.length) {
        note("Hors ligne : vos réponses sont gardées dans ce navigateur et seront envoyées au retour du réseau.");
      }
      return recs;
    });
  }

  // -- recording what is typed ---------------------------------------------------------------
  function record(section) {
    var c = ctx();
    if (!c || !section) { return Promise.resolve(); }
    var urn = section.getAttribute("data-urn");
    var id = recordId(c, urn);
    return get(id).then(function (rec) {
      counter += 1;
      var values = read(section);
      if (!rec) {
        rec = { id: id, person: c.person, diagnostic: c.diagnostic, theme: c.theme, urn: urn,
          answerId: section.getAttribute("data-answer-id") || uuid(), base: baseOf(section), state: "waiting",
          sync: c.sync, page: c.page };
      } else if (rec.state === "conflict") {
        rec.changedSince = true;
      } else {
        rec.state = "waiting";
      }
      rec.values = values;
      rec.seq = Date.now() * 1000 + (counter % 1000);
      return put(rec);
    }).then(function () { return show(c); });
  }
  function later(section) {
    var urn = section.getAttribute("data-urn");
    clearTimeout(timers[urn]);
    timers[urn] = setTimeout(function () { delete timers[urn]; record(section); }, 250);
  }
  function flushTyping() {
    var pending = Object.keys(timers);
    pending.forEach(function (urn) { clearTimeout(timers[urn]); delete timers[urn]; });
    return Promise.all(pending.map(function (urn) { return record(sectionOf(urn)); }));
  }

  // -- sending -------------------------------------------------------------------------------
  function keepPages(paths, refresh) {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) { reg.active.postMessage({ type: "keep", paths: paths, refresh: !!refresh }); }
    });
  }
  function sync() {
    var c = ctx();
    if (!c || syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return flushTyping().then(function () { return everyone(c); }).then(function (recs) {
      // every diagnostic's answers waiting in this browser, one batch per diagnostic
      var groups = {};
      recs.filter(function (r) { return r.state === "waiting"; }).forEach(function (r) {
        var to = r.sync || "/diagnostics/" + r.diagnostic + "/synchro";
        (groups[to] = groups[to] || []).push(r);
      });
      return Promise.all(Object.keys(groups).map(function (to) { return send(c, to, groups[to]); }));
    }).then(function (results) {
      var paths = [].concat.apply([], (results || []).filter(Array.isArray));
      if (paths.length) { setTimeout(function () { keepPages(paths, true); }, 1000); }
    }).catch(function () {
      note("Envoi impossible pour l'instant : vos réponses restent gardées dans ce navigateur.");
    }).then(function () {
      syncing = false;
      return show(c);
    });
  }
  function send(c, to, ready) {
    var diagnostic = ready[0].diagnostic;
    var sent = {};
    ready.forEach(function (r) { sent[r.id] = r.seq; });
    var items = ready.map(function (r) {
      return { criterion: r.urn, id: r.answerId, base: r.base, choice: r.values.choice, reason: r.values.reason,
        comment: r.values.comment, evidence: r.values.evidence, resolve: r.resolve || null, over: r.over || null };
    });
    note("Envoi de " + ready.length + " réponse(s) en attente…");
    return fetch(to, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf(), "hx-request": "true", accept: "application/json" },
      body: JSON.stringify({ key: uuid(), items: items })
    }).then(function (response) {
      if (response.status === 401) {
        note("Votre session a expiré : reconnectez-vous, vos réponses restent gardées dans ce navigateur.",
          { href: "/connexion?next=" + encodeURIComponent(location.pathname), text: "Se reconnecter" });
        return null;
      }
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (p) {
          note("Envoi refusé (" + response.status + ")" + (p.title ? " : " + p.title + (p.detail ? " — " + p.detail : "") : "") + ". Vos réponses restent gardées dans ce navigateur.");
          return null;
        });
      }
      return response.json().then(function (answer) { return settle(c, diagnostic, ready, sent, answer); });
    });
  }
  function settle(c, diagnostic, ready, sent, answer) {
    var here = diagnostic === c.diagnostic;
    var saved = {};
    var conflicts = {};
    var errors = {};
    var themes = {};
    (answer.saved || []).forEach(function (s) { saved[s.criterion] = s; });
    (answer.conflicts || []).forEach(function (k) { conflicts[k.criterion] = k; });
    (answer.errors || []).forEach(function (e) { errors[e.criterion] = e; });
    ready.forEach(function (rec) {
      var s = saved[rec.urn];
      var k = conflicts[rec.urn];
      var section = (s || k) && here && rec.theme === c.theme ? sectionOf(rec.urn) : null;
      if (s) { themes[rec.page || "/diagnostics/" + diagnostic + "/themes/" + rec.theme] = true; }
      if (section && s) {
        if (s.id) { section.setAttribute("data-answer-id", s.id); }
        setBase(rec.urn, s.base);
      } else if (section && k && k.id) {
        section.setAttribute("data-answer-id", k.id); // the server holds an answer: the other one
      }
    });
    // the page's ETag follows only when nobody else wrote between the page and this batch
    var etag = c.form.querySelector("input[name=etag]");
    if (here && etag && answer.etag && answer.read_etag === etag.value) { etag.value = answer.etag; }
    if (here) { progress(answer.progress || {}); }
    // one transaction for the whole batch
    return tx("readwrite", function (store) {
      ready.forEach(function (rec) {
        var read = store.get(rec.id);
        read.onsuccess = function () {
          var now = read.result;
          var s = saved[rec.urn];
          var k = conflicts[rec.urn];
          var e = errors[rec.urn];
          if (!now) { return; }
          if (s && now.seq === sent[rec.id]) {
            store.delete(rec.id);
          } else if (s) { // typed again meanwhile: over the version now on the server
            now.base = s.base; now.resolve = null; now.over = null;
            store.put(now);
          } else if (k) {
            now.state = "conflict"; now.conflict = k; now.resolve = null; now.over = null; now.changedSince = false;
            store.put(now);
          } else if (e && now.seq === sent[rec.id]) {
            now.state = "error"; now.message = e.message;
            store.put(now);
          }
        };
      });
    }).then(function () {
      var count = (answer.saved || []).length;
      note(count ? count + " réponse(s) envoyée(s) au serveur." : "");
      return Object.keys(themes);
    });
  }
  function progress(byTheme) {
    Object.keys(byTheme).forEach(function (code) {
      var p = byTheme[code];
      document.querySelectorAll(".theme-nav a").forEach(function (a) {
        var found = /\/themes\/([^/?#]+)/.exec(a.getAttribute("href") || "");
        if (found && found[1] === code) {
          var span = a.querySelector(".muted");
          if (span) { span.textContent = p.answered + "/" + p.total; }
        }
      });
    });
  }

  // -- the person resolves a conflict --------------------------------------------------------
  function resolve(button) {
    var c = ctx();
    var section = button.closest("[data-urn]");
    if (!c || !section) { return; }
    var urn = section.getAttribute("data-urn");
    var id = recordId(c, urn);
    get(id).then(function (rec) {
      if (!rec || rec.state !== "conflict") { return null; }
      if (button.getAttribute("data-keep") === "theirs") {
        apply(section, rec.conflict.theirs_value);
        setBase(urn, rec.conflict.base);
        return drop(id).then(function () {
          if (window.CapConsole) { window.CapConsole.saveDraft(c.form); }
          note("La version enregistrée est gardée pour " + rec.conflict.code + ".");
        });
      }
      rec.state = "waiting"; rec.resolve = "mine"; rec.over = rec.conflict.base;
      rec.values = read(section);
      return put(rec).then(function () { note("Votre saisie est gardée pour " + rec.conflict.code + " : envoi…"); });
    }).then(function () { return show(c); }).then(function () {
      var first = section.querySelector("input[type=radio]:checked") || section.querySelector("input, textarea");
      if (first && first.focus) { first.focus(); }
      return sync();
    });
  }

  // -- wiring --------------------------------------------------------------------------------
  function typedIn(event) {
    var el = event.target;
    if (!el || !el.name || !el.closest || !ctx()) { return null; }
    if (/^(keep|conflict)-/.test(el.name)) { return null; }
    return el.closest("form[data-field] [data-urn]");
  }
  document.addEventListener("input", function (event) { var s = typedIn(event); if (s) { later(s); } });
  document.addEventListener("change", function (event) { var s = typedIn(event); if (s) { later(s); } });
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("button[data-keep]") : null;
    if (button) { event.preventDefault(); resolve(button); }
  });
  // without network, the whole-theme button keeps the answers here instead of failing
  window.addEventListener("submit", function (event) {
    var c = ctx();
    if (!c || event.target !== c.form) { return; }
    if (!navigator.onLine) {
      event.preventDefault();
      event.stopPropagation();
      var submitter = event.submitter;
      sections().forEach(later);
      flushTyping().then(function () {
        // the network came back meanwhile (this browser says so a moment late): send the form
        if (navigator.onLine && c.form.requestSubmit) { c.form.requestSubmit(submitter || undefined); return; }
        pendingSubmit = { form: c.form, submitter: submitter, until: Date.now() + 3000 };
        note("Hors ligne : vos réponses sont gardées dans ce navigateur et seront envoyées au retour du réseau.");
      });
      return;
    }
    var max = shown.filter(function (r) { return r.theme === c.theme; }).reduce(function (m, r) { return Math.max(m, r.seq); }, 0);
    try { sessionStorage.setItem("cap-field-submitted", JSON.stringify({ id: c.diagnostic + "|" + c.theme, seq: max })); } catch (e) { /* */ }
  }, true);
  // the page's own autosave (online): what it sent is on the server
  document.addEventListener("htmx:beforeRequest", function (event) {
    var c = ctx();
    if (!c || event.detail.elt !== c.form) { return; }
    all(c).then(function (recs) {
      sentSeq = recs.filter(function (r) { return r.theme === c.theme; }).reduce(function (m, r) { return Math.max(m, r.seq); }, 0);
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    var c = ctx();
    var state = document.getElementById("save-state");
    if (!c || sentSeq === null || !state || state.getAttribute("data-state") !== "saved") { return; }
    var upTo = sentSeq;
    sentSeq = null;
    all(c).then(function (recs) {
      var base = bases();
      return Promise.all(recs.filter(function (r) { return r.theme === c.theme && r.seq <= upTo && r.state === "waiting"; })
        .map(function (r) {
          var section = sectionOf(r.urn);
          if (section && !section.getAttribute("data-answer-id")) { section.setAttribute("data-answer-id", r.answerId); }
          r.base = base[r.urn];
          return drop(r.id);
        }));
    }).then(function () { return show(c); });
  });
  document.addEventListener("htmx:afterSwap", function () { var c = ctx(); if (c) { show(c); } });
  window.addEventListener("online", function () {
    var p = pendingSubmit;
    pendingSubmit = null;
    if (p && Date.now() < p.until && p.form.isConnected && p.form.requestSubmit) { p.form.requestSubmit(p.submitter || undefined); return; }
    sync();
  });
  window.addEventListener("offline", function () { var c = ctx(); if (c) { show(c); } });
  // what an autosave could not send is tried again (the facilitator's page has no autosave:
  // its answers go with its button, or when the network comes back after a cut)
  setInterval(function () {
    var c = ctx();
    if (c && navigator.onLine && !c.form.getAttribute("data-field-sep")) { sync(); }
  }, 15000);

  function start() {
    var c = ctx();
    if (!c) { return; }
    var main = document.getElementById("contenu");
    var saved = main && main.getAttribute("data-saved");
    var submitted = null;
    try { submitted = JSON.parse(sessionStorage.getItem("cap-field-submitted") || "null"); sessionStorage.removeItem("cap-field-submitted"); } catch (e) { /* */ }
    var cleared = Promise.resolve();
    if (saved && submitted && submitted.id === c.diagnostic + "|" + c.theme) {
      // the whole theme was accepted by the server: what it carried is saved
      cleared = all(c).then(function (recs) {
        return Promise.all(recs.filter(function (r) { return r.theme === c.theme && r.seq <= submitted.seq; })
          .map(function (r) { return drop(r.id); }));
      });
    }
    cleared.then(function () { return all(c); }).then(function (recs) {
      recs.forEach(function (r) {
        var section = r.theme === c.theme ? sectionOf(r.urn) : null;
        if (section) { apply(section, r.values); }
      });
      if (recs.length && window.CapConsole) { window.CapConsole.saveDraft(c.form); }
      return show(c);
    }).then(function () { if (navigator.onLine) { return sync(); } return null; });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (!event.data || event.data.type !== "kept") { return; }
        var state = document.getElementById("field-state");
        var kept = document.querySelector("#field-state .field-kept");
        if (state) { state.setAttribute("data-kept", "1"); }
        if (kept) { kept.hidden = false; }
      });
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
        var paths = [c.page];
        if (!c.form.getAttribute("data-field-sep")) { paths.push("/diagnostics/" + c.diagnostic); }
        document.querySelectorAll(".theme-nav a[href], .fac-themes a[href]").forEach(function (a) { paths.push(a.getAttribute("href").split("#")[0]); });
        keepPages(paths, false);
      }).catch(function () { /* no field mode without a service worker: the page still works */ });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  window.CapField = { sync: sync, record: record };
})();
