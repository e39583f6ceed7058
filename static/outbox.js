// The field actions a phone could not send yet, kept in IndexedDB with the
// time they happened. Shared by the pages (field.js) and the service worker
// (sw.js): whichever runs when the signal is back sends them; the server
// takes each key once, so sending twice does no harm.
var LaobingOutbox = (function () {
  var DB = "laobing-field", STORE = "outbox";
  function open() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "key" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function run(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction(STORE, mode);
        var req = fn(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); ok(req && req.result); };
        t.onerror = function () { db.close(); fail(t.error); };
      });
    });
  }
  function put(item) { return run("readwrite", function (s) { return s.put(item); }); }
  function all() { return run("readonly", function (s) { return s.getAll(); }).then(function (a) { return a || []; }); }
  function remove(key) { return run("readwrite", function (s) { return s.delete(key); }); }
  // One action as it is kept: where it goes, the session's CSRF token, the body.
  function item(url, csrf, body) {
    return { key: body.key, url: url, csrf: csrf, body: body, queuedAt: new Date().toISOString() };
  }
  var flushing = null;
  // Sends what waits, one by one. Kept when the network fails, the session
  // has expired or the server is busy with the same key; a refusal is kept
  // marked, for the page to say why.
  function flush() {
    if (flushing) return flushing;
    flushing = all().then(function (items) {
      var sent = 0;
      return items.filter(function (i) { return !i.refused; }).reduce(function (p, it) {
        return p.then(function () {
          return fetch(it.url, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": it.csrf || "" },
            body: JSON.stringify(it.body)
          }).then(function (r) {
            if (r.status === 202) return; // a service worker kept it: still offline
            return r.json().catch(function () { return {}; }).then(function (j) {
              var code = j && j.error && j.error.code;
              if (r.ok) { sent++; return remove(it.key); }
              if (r.status === 401 || code === "csrf_failed") { it.note = "login"; return put(it); }
              if (r.status >= 500 || (r.status === 409 && code === "invalid_state")) return;
              it.refused = (j && j.error && j.error.message) || ("HTTP " + r.status);
              return put(it);
            });
          }, function () { /* no network yet */ });
        });
      }, Promise.resolve()).then(function () { return sent; });
    });
    var done = function () { flushing = null; };
    flushing.then(done, done);
    return flushing;
  }
  return { put: put, all: all, remove: remove, item: item, flush: flush };
})();
