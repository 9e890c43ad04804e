/* Without JavaScript all ten lines show. With it, empty lines after the first stay hidden until
   "Add a line"; the total follows what is typed; the save button works once. */
(function () {
  var form = document.getElementById("voucher-form");
  var rows = Array.prototype.slice.call(form.querySelectorAll(".line-row"));
  var add = document.getElementById("add-line");
  function filled(row) {
    return Array.prototype.some.call(row.querySelectorAll("input, select"), function (el) { return el.value; })
      || row.querySelector(".error");
  }
  var last = 0;
  rows.forEach(function (row, i) { if (filled(row)) { last = i; } });
  rows.forEach(function (row, i) { if (i > last) { row.hidden = true; } });
  function refresh() { add.hidden = rows.every(function (r) { return !r.hidden; }); }
  add.addEventListener("click", function () {
    var next = rows.find(function (r) { return r.hidden; });
    if (next) { next.hidden = false; var first = next.querySelector("select, input"); if (first) { first.focus(); } }
    refresh();
  });
  refresh();
  function total() {
    var sum = 0;
    form.querySelectorAll("input.amount").forEach(function (el) {
      var text = el.value.replace(/[๐-๙]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙".indexOf(d); }).replace(/,/g, "");
      var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);  /* whole satang: never a float */
      if (m) { sum += parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10); }
    });
    var baht = Math.floor(sum / 100), satang = sum % 100;
    document.getElementById("voucher-total").textContent =
      baht.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + (satang < 10 ? "0" : "") + satang;
  }
  form.addEventListener("input", total);
  form.addEventListener("submit", function () {
    document.getElementById("save").disabled = true;
  });
})();
