// Live notifications (loaded for signed-in people only; no inline script: the CSP forbids it).
// The console relays the platform's event stream at /notifications/flux, adding the person's
// token on the server: this script never sees a token. Events:
//   unread       {"unread": n}   -> the badge #unread in the menu
//   notification {...}           -> on /notifications, the list is fetched again (htmx)
// The browser's EventSource reconnects by itself after a drop (with Last-Event-ID); when it
// gives up (an error answer, a lost session), this script opens a new one after a pause.
(function () {
  "use strict";
  if (!document.body || !document.body.hasAttribute("data-signed-in") || !window.EventSource) { return; }

  var source = null;
  var delay = 2000;
  var MAX_DELAY = 60000;
  var timer = null;

  function showUnread(count) {
    var badge = document.getElementById("unread");
    if (!badge) { return; }
    var n = parseInt(count, 10);
    badge.setAttribute("data-count", String(n > 0 ? n : 0));
    if (!(n > 0)) {
      badge.hidden = true;
      badge.textContent = "";
      return;
    }
    var text = n > 99 ? "99+" : String(n);
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = n === 1 ? " non lue" : " non lues";
    badge.textContent = text;
    badge.appendChild(hidden);
    badge.hidden = false;
  }

  function refreshFeed(item) {
    var feed = document.getElementById("feed");
    if (!feed || feed.getAttribute("data-live-feed") !== "1") { return; }
    var status = document.getElementById("live-status");
    if (status && item && item.title) { status.textContent = "Nouvelle notification : " + item.title; }
    if (window.htmx) {
      window.htmx.ajax("GET", location.pathname + location.search, { target: "#feed", swap: "innerHTML" });
    }
  }

  function open() {
    timer = null;
    source = new EventSource("/notifications/flux");
    source.addEventListener("open", function () { delay = 2000; });
    source.addEventListener("unread", function (event) {
      try { showUnread(JSON.parse(event.data).unread); } catch (e) { /* a malformed event is ignored */ }
    });
    source.addEventListener("notification", function (event) {
      var item = null;
      try { item = JSON.parse(event.data); } catch (e) { /* ignored */ }
      refreshFeed(item);
    });
    source.addEventListener("error", function () {
      // CONNECTING: the browser retries by itself. CLOSED: it gave up; try again later.
      if (source && source.readyState === EventSource.CLOSED) {
        source.close();
        source = null;
        if (!timer) {
          timer = setTimeout(open, delay);
          delay = Math.min(delay * 2, MAX_DELAY);
        }
      }
    });
  }

  window.addEventListener("pagehide", function () { if (source) { source.close(); source = null; } });
  window.addEventListener("pageshow", function (event) { if (event.persisted && !source) { open(); } });
  window.addEventListener("online", function () {
    if (!source) { if (timer) { clearTimeout(timer); } delay = 2000; open(); }
  });
  open();
})();
