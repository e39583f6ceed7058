// The import page keeps the chosen file between steps: check, map the
// columns, check again, import, download the marked-up roster, all without
// choosing the file again. Without this file the form posts as usual.
(function () {
  var form = document.getElementById("import-form");
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) return;
  document.addEventListener("submit", function (e) {
    if (e.target !== form || e.defaultPrevented) return;
    e.preventDefault();
    var data = new FormData(form);
    var b = e.submitter;
    if (b && b.name) data.set(b.name, b.value);
    var buttons = document.querySelectorAll("button[type=submit]");
    buttons.forEach(function (x) { x.disabled = true; });
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) {
        var type = r.headers.get("content-type") || "";
        if (type.indexOf("spreadsheetml") >= 0) {
          return r.blob().then(function (blob) {
            var a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = "花名册错误标注.xlsx";
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
          });
        }
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var result = doc.getElementById("import-result");
          if (!result) { document.open(); document.write(html); document.close(); return; }
          document.getElementById("import-result").replaceWith(result);
          var old = document.getElementById("mapping");
          var fresh = doc.getElementById("mapping");
          if (old && fresh) old.replaceWith(fresh);
          else if (old) old.remove();
          else if (fresh) form.querySelector("label.check").before(fresh);
          // the file stays chosen: say so instead of asking for it again
          var hint = document.getElementById("mapping-needed");
          if (hint && hint.dataset.keep) hint.textContent = hint.dataset.keep;
          var first = document.querySelector("#mapping .map-row.unknown select") || document.getElementById("import-report");
          if (first) first.scrollIntoView({ block: "center" });
        });
      })
      .catch(function () { form.submit(); })
      .finally(function () { buttons.forEach(function (x) { x.disabled = false; }); });
  });
})();
