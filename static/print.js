// Printed records: the print button (pages carry no inline scripts).
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest(".print-now")) window.print();
});
