// Small progressive touches; every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("click", function (e) {
  var t = e.target.closest && e.target.closest(".menu-toggle");
  if (!t) return;
  var menu = document.getElementById(t.getAttribute("aria-controls"));
  var open = menu.classList.toggle("open");
  t.setAttribute("aria-expanded", open ? "true" : "false");
});
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector("label.bad input, label.bad select");
  if (first) first.focus();
});
