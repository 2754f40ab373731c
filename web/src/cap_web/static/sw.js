// The console's service worker (served at /sw.js, scope "/"): field mode.
// - The static files (stylesheet, scripts) are answered from the cache, refreshed behind.
// - The pages of a diagnostic (its theme pages carry the referential: criteria, scales,
//   descriptors; a facilitator's session page, theme by theme) are asked from the network first and kept; without network the kept copy is
//   shown, else the page "/hors-ligne". Nothing else is kept; signing out forgets the pages.
// - The answers themselves are not here: static/field.js keeps them in IndexedDB.
"use strict";

var VERSION = "cap-field-1";
var STATIC = VERSION + "-static";
var PAGES = VERSION + "-pages";
var OFFLINE = "/hors-ligne";
var PRECACHE = [
  "/static/console.css", "/static/console.js", "/static/vendor/htmx-2.0.11.min.js",
  "/static/live.js", "/static/structure.js", "/static/field.js", "/static/favicon.svg", OFFLINE
];
var FIELD_PAGE = /^\/diagnostics\/[0-9a-fA-F-]{36}(\/themes\/[A-Za-z0-9._-]{1,60})?$/;
var SESSION_PAGE = /^\/animation\/diagnostics\/[0-9a-fA-F-]{36}$/;
var THEME = /^[A-Za-z0-9._-]{1,60}$/;

// Where a page is kept: a structure's diagnostic pages by their path, a facilitator's session
// page by its path and theme (?theme=T1); anything else is not kept (null).
function pageKey(url) {
  if (FIELD_PAGE.test(url.pathname)) { return url.pathname; }
  if (SESSION_PAGE.test(url.pathname)) {
    var theme = url.searchParams.get("theme");
    return url.pathname + (theme && THEME.test(theme) ? "?theme=" + theme : "");
  }
  return null;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf(VERSION) !== 0; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  var type = response.headers.get("content-type") || "";
  return response.ok && !response.redirected && response.type === "basic" && type.indexOf("text/html") === 0;
}

function keep(path) {
  // the page as the network gives it now, kept under its path (without ?enregistre=1...)
  return fetch(path, { credentials: "same-origin", headers: { accept: "text/html" } }).then(function (response) {
    if (!keepable(response)) { return response; }
    var copy = response.clone();
    return caches.open(PAGES).then(function (cache) { return cache.put(path, copy); }).then(function () { return response; });
  });
}

function fromCache(path) {
  return caches.open(PAGES).then(function (cache) { return cache.match(path); }).then(function (hit) {
    return hit || caches.match(OFFLINE).then(function (offline) {
      return offline || new Response("Hors ligne", { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === "/deconnexion") {
    event.respondWith(caches.delete(PAGES).then(function () { return fetch(request); }));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf("/static/") === 0 && PRECACHE.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(url.pathname, response.clone()); }
          return response;
        });
        if (hit) { fresh.catch(function () { return null; }); return hit; }
        return fresh;
      });
    }));
    return;
  }
  var key = pageKey(url);
  if (key && request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (keepable(response)) {
        var copy = response.clone();
        event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.put(key, copy); }));
      }
      return response;
    }).catch(function () { return fromCache(key); }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return fromCache(OFFLINE); }));
  }
});

// field.js asks for the other pages of the diagnostic to be kept (the whole referential),
// and for a page to be kept again after its answers were sent (so a reload shows them).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var paths = (data.paths || []).map(function (p) {
    return typeof p === "string" && p.charAt(0) === "/" ? pageKey(new URL(p, self.location.origin)) : null;
  }).filter(function (p, i, all) { return p && all.indexOf(p) === i; });
  if (data.type !== "keep" || !paths.length) { return; }
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return Promise.all(paths.map(function (path) {
      return (data.refresh ? Promise.resolve(null) : cache.match(path)).then(function (hit) {
        return hit ? null : keep(path).catch(function () { return null; });
      });
    }));
  }).then(function () {
    if (event.source && event.source.postMessage) { event.source.postMessage({ type: "kept", paths: paths }); }
  }));
});
