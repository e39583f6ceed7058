// Small progressive touches; every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("click", function (e) {
  var t = e.target.closest && e.target.closest(".menu-toggle");
  if (!t) return;
  var menu = document.getElementById(t.getAttribute("aria-controls"));
  var open = menu.classList.toggle("open");
  t.setAttribute("aria-expanded", open ? "true" : "false");
});
// Print buttons and copyable fields (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) window.print();
});
document.addEventListener("focusin", function (e) {
  if (e.target.hasAttribute && e.target.hasAttribute("data-select")) e.target.select();
});
// A confirmation asked by the button pressed (or by the whole form) before it is sent.
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  var msg = (b && b.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector("label.bad input, label.bad select");
  if (first) first.focus();
});

// The mobilisation board refreshes its headcount every five seconds.
(function () {
  var box = document.getElementById("headcount");
  if (!box || !window.fetch) return;
  function refresh() {
    fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) return;
        document.getElementById("count-yes").textContent = m.yes;
        document.getElementById("count-no").textContent = m.no;
        document.getElementById("count-pending").textContent = m.called - m.yes - m.no;
      })
      .catch(function () {});
  }
  setInterval(refresh, 5000);
})();
