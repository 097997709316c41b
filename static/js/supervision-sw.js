// The service worker of the inspector's pages (served by supervision.views.offline, which
// puts CONFIG above this line). Pages under its scope are fetched from the network first and
// kept, so a visit opened once reopens without a network; static assets come from the cache.
// Writes are never cached: the page keeps them in IndexedDB (static/js/inspect.js).
/* global CONFIG */
"use strict";
var PAGES = "tuoguan-inspect-pages";
var ASSETS = "tuoguan-inspect-assets-v1";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSETS).then(function (cache) { return cache.addAll(CONFIG.assets); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("tuoguan-inspect-assets-") === 0 && name !== ASSETS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    // ignoreVary: pages vary on the cookie, which a kept copy cannot show.
    return caches.match(request, { cacheName: PAGES, ignoreVary: true }).then(function (hit) {
      return hit || new Response("<!DOCTYPE html><meta charset=utf-8><title>离线</title>" +
        "<p>没有网络，此页尚未保存在本机。请联网后再打开。</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(ASSETS).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(CONFIG.scope) === 0) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(request));
  }
});
