// Field pages (check-in, the leader's activity page): the phone's position at
// check-in, the leader's code that changes every 30 seconds, and actions kept
// while there is no signal (outbox.js, sw.js). Every page works without it.
(function () {
  var outboxBox = document.getElementById("outbox");
  var say = function (text, ok) {
    var m = document.getElementById("checkin-message") || document.getElementById("field-message");
    if (!m) return;
    m.textContent = text;
    // ok: green; false: red; null: a plain note while working
    m.className = ok === null ? "muted" : ok ? "alert ok" : "alert";
    m.setAttribute("role", ok === false ? "alert" : "status");
    m.hidden = false;
  };
  var kinds = { check_in: "签到", check_out: "签退", sheet: "出勤登记" };
  var hm = function (iso) { var d = new Date(iso); return d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }); };

  // What waits to be sent, said plainly.
  function render() {
    if (!outboxBox || !window.indexedDB) return Promise.resolve();
    return LaobingOutbox.all().then(function (items) {
      var waiting = items.filter(function (i) { return !i.refused; });
      var refused = items.filter(function (i) { return i.refused; });
      outboxBox.hidden = items.length === 0;
      var html = "";
      if (waiting.length) {
        html += "<b>等待发送（" + waiting.length + "）</b>：网络恢复后会自动发送，请不要卸载或清理浏览器。<ul>";
        waiting.forEach(function (i) {
          html += "<li data-key=\"" + i.key + "\">" + kinds[i.body.kind] + " · " + hm(i.body.at) +
            (i.note === "login" ? "（登录已过期，请重新登录后自动发送）" : "") + "</li>";
        });
        html += "</ul>";
      }
      refused.forEach(function (i) {
        html += "<p class=\"refused\">未被接受：" + kinds[i.body.kind] + " · " + hm(i.body.at) + " — <span></span> " +
          "<button type=\"button\" class=\"link\" data-drop=\"" + i.key + "\">知道了</button></p>";
      });
      outboxBox.innerHTML = html;
      // the server's reason as text, never as markup
      var spans = outboxBox.querySelectorAll(".refused span");
      refused.forEach(function (i, n) { spans[n].textContent = i.refused; });
      outboxBox.setAttribute("data-waiting", String(waiting.length));
    });
  }
  if (outboxBox) {
    outboxBox.addEventListener("click", function (e) {
      var k = e.target.getAttribute && e.target.getAttribute("data-drop");
      if (k) LaobingOutbox.remove(k).then(render);
    });
  }
  function flush() {
    if (!window.indexedDB) return;
    LaobingOutbox.flush().then(function (sent) {
      return render().then(function () {
        if (sent > 0) {
          sessionStorage.setItem("field-flash", "已发送 " + sent + " 条离线记录");
          location.reload();
        }
      });
    });
  }

  if ("serviceWorker" in navigator && document.querySelector("[data-field]")) {
    navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function () {
      // this page and what it loads, kept so that it opens again without a signal
      if (window.caches) {
        var keep = [location.pathname + location.search];
        document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) { keep.push(el.getAttribute("href") || el.getAttribute("src")); });
        // data-offline="ready" says when they are kept (until then, losing the signal loses the page)
        caches.open("laobing-field-1").then(function (c) { return c.addAll(keep); }).then(function () {
          document.documentElement.setAttribute("data-offline", "ready");
        }).catch(function () {});
      }
      document.documentElement.setAttribute("data-sw", navigator.serviceWorker.controller ? "controlling" : "ready");
    }).catch(function () {});
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      document.documentElement.setAttribute("data-sw", "controlling");
    });
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data === "outbox-changed") render(); });
  }
  window.addEventListener("online", flush);
  setInterval(function () {
    if (outboxBox && outboxBox.getAttribute("data-waiting") !== "0" && navigator.onLine) flush();
  }, 10000);
  var flash = sessionStorage.getItem("field-flash");
  if (flash) { sessionStorage.removeItem("field-flash"); say(flash, true); }
  render().then(function () { if (navigator.onLine) flush(); });

  function key() {
    var a = new Uint8Array(12);
    (self.crypto || window.crypto).getRandomValues(a);
    return "k" + Date.now().toString(36) + "-" + Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Sends one action: done (the page is reloaded to show it), kept for later
  // (no signal), or refused (said in red).
  function send(url, csrf, body, queuedText, after) {
    var keep = function () {
      return LaobingOutbox.put(LaobingOutbox.item(url, csrf, body)).then(function () {
        say(queuedText, true); render(); if (after) after();
      });
    };
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 202) { say(queuedText, true); render(); if (after) after(); return; }
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) {
          sessionStorage.setItem("field-flash", j.message || "已记录");
          location.reload();
        } else if (r.status >= 500) {
          return keep();
        } else {
          say((j.error && j.error.message) || "未能记录", false);
        }
      });
    }, keep);
  }

  // The volunteer's check-in page.
  var form = document.getElementById("checkin-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      var kind = form.getAttribute("data-action") === "out" ? "check_out" : "check_in";
      var body = {
        key: key(), kind: kind, at: new Date().toISOString(),
        token: form.getAttribute("data-token"), code: form.getAttribute("data-code") || null
      };
      var url = "/api/v1/activities/" + form.getAttribute("data-activity") + "/field-actions";
      var csrf = form.querySelector("input[name=csrf]").value;
      var go = function () {
        send(url, csrf, body, "没有网络：已在手机上记下" + kinds[kind] + "（" + hm(body.at) + "），网络恢复后自动发送", function () {
          // checked in on the phone: the next press is the check-out
          if (kind === "check_in") {
            form.setAttribute("data-action", "out");
            if (button) button.textContent = "签退";
          } else if (button) {
            button.hidden = true;
          }
        }).then(function () { if (button) button.disabled = false; });
      };
      if (kind === "check_in" && navigator.geolocation) {
        say("正在获取位置…", null);
        navigator.geolocation.getCurrentPosition(function (p) {
          body.lat = p.coords.latitude; body.lon = p.coords.longitude; go();
        }, go, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      } else {
        go();
      }
    });
  }

  // The leader's attendance sheet: kept when there is no signal.
  var sheet = document.getElementById("attendance-form");
  if (sheet && sheet.getAttribute("data-activity")) {
    sheet.addEventListener("submit", function (e) {
      if (!e.submitter || e.submitter.value !== "attendance") return;
      e.preventDefault();
      var marks = [];
      sheet.querySelectorAll("input[type=checkbox][name^=present_]").forEach(function (c) {
        if (!c.checked) return;
        var id = c.name.slice("present_".length);
        var i = sheet.querySelector("input[name=in_" + id + "]"), o = sheet.querySelector("input[name=out_" + id + "]");
        marks.push({ volunteer_id: Number(id), check_in: i && i.value || null, check_out: o && o.value || null });
      });
      var body = { key: key(), kind: "sheet", at: new Date().toISOString(), marks: marks };
      var url = "/api/v1/activities/" + sheet.getAttribute("data-activity") + "/field-actions";
      send(url, sheet.querySelector("input[name=csrf]").value, body,
        "没有网络：出勤登记已在手机上记下（" + hm(body.at) + "），网络恢复后自动发送");
    });
  }

  // The leader's code: a new one every 30 seconds, the QR with it.
  var live = document.querySelector("[data-live]");
  if (live && window.fetch) {
    var left = Number(live.getAttribute("data-left")) || 30;
    var secs = document.getElementById("code-seconds");
    var refresh = function () {
      fetch(live.getAttribute("data-live"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (!j) return;
          document.getElementById("checkin-code").textContent = j.code;
          document.getElementById("qr-svg").innerHTML = j.svg;
          left = j.seconds_left;
        }).catch(function () {});
    };
    setInterval(function () {
      left -= 1;
      if (left <= 0) { left = 30; refresh(); }
      if (secs) secs.textContent = String(Math.max(left, 0));
    }, 1000);
  }

  // a check-in link field selects itself for copying
  var link = document.getElementById("checkin-link");
  if (link) link.addEventListener("focus", function () { link.select(); });
})();
