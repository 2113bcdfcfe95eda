// The service worker of the verifier's offline page (/verval/luring/): the page, its script and its stylesheet
// are kept so the page opens without signal; children's data is never cached here (the page keeps it encrypted in
// IndexedDB), and nothing but these GETs is ever answered from the cache.
'use strict';
var CACHE = 'sitisek-luring-v1';
// Everything the page loads (the stylesheet draws the bell): without signal, no request of the page may fail.
var SHELL = ['/verval/luring/', '/static/css/app.css', '/static/js/verval-offline.js', '/static/js/offline-wipe.js',
             '/static/js/char-count.js', '/static/favicon.svg', '/static/manifest.webmanifest', '/static/img/bell.svg',
             '/static/icons/sitisek-192.png', '/static/icons/sitisek-512.png'];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || SHELL.indexOf(url.pathname) < 0) return;
  // Network first (the newest page and script when there is signal), the kept copy without.
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () { return caches.match(url.pathname); }));
});
