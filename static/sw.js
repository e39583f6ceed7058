// Laobing's service worker (kept at this one address, /sw.js, so the browser
// always finds it). It does two small things for phones in the mountains:
// a field action (check-in, check-out, the leader's sheet) that cannot reach
// the server is kept with the time it happened and sent when the signal is
// back; and the check-in and activity pages last opened still open offline.
importScripts("/static/outbox.js");
var CACHE = "laobing-field-1";
var FIELD = /^\/api\/v1\/activities\/\d+\/field-actions$/;
var PAGES = /^\/(checkin\/[^/]+|activities\/\d+)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

function tell() {
  return self.clients.matchAll().then(function (cs) { cs.forEach(function (c) { c.postMessage("outbox-changed"); }); });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method === "POST" && FIELD.test(url.pathname)) {
    e.respondWith(req.clone().text().then(function (text) {
      return fetch(req).catch(function () {
        var body = JSON.parse(text);
        var it = LaobingOutbox.item(url.pathname, req.headers.get("X-CSRF-Token"), body);
        return LaobingOutbox.put(it).then(tell).then(function () {
          if (self.registration.sync) self.registration.sync.register("laobing-field").catch(function () {});
          return new Response(JSON.stringify({ queued: true, key: body.key }),
            { status: 202, headers: { "Content-Type": "application/json" } });
        });
      });
    }));
    return;
  }
  if (req.method === "POST" && url.pathname === "/logout") {
    // pages kept for offline use hold names: gone with the session
    e.waitUntil(caches.delete(CACHE));
    return;
  }
  if (req.method === "GET" && (PAGES.test(url.pathname) || url.pathname.indexOf("/static/") === 0)) {
    e.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put(req, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(req).then(function (hit) {
        return hit || new Response("没有网络，请稍后再试 · offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
      });
    }));
  }
});

self.addEventListener("sync", function (e) {
  if (e.tag === "laobing-field") e.waitUntil(LaobingOutbox.flush().then(tell));
});
self.addEventListener("message", function (e) {
  if (e.data === "flush") e.waitUntil(LaobingOutbox.flush().then(tell));
});
