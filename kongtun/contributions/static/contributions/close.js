/* As the collector types the cash counted, show whether it is over or short (whole satang,
   never a float); the server decides and records. */
(function () {
  var form = document.getElementById("close-form");
  var input = form.querySelector("input.amount");
  var out = document.getElementById("live-difference");
  var words = document.getElementById("difference-words").content;
  function satang(text) {
    text = text.replace(/[๐-๙]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙".indexOf(d); }).replace(/[,\s]/g, "");
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
    return m ? parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10) : null;
  }
  var expected = satang(document.getElementById("receipts-total").getAttribute("data-total"));
  function show() {
    var counted = satang(input.value);
    if (counted === null || expected === null) { out.hidden = true; return; }
    var diff = counted - expected, abs = Math.abs(diff);
    var text = (abs - abs % 100) / 100 + "";
    text = text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + (abs % 100 < 10 ? "0" : "") + abs % 100;
    var key = diff < 0 ? "short" : diff > 0 ? "over" : "same";
    out.textContent = words.querySelector("[data-key=" + key + "]").textContent.replace("{amount}", text);
    out.className = "stat " + (diff < 0 ? "diff-short" : diff > 0 ? "diff-over" : "");
    out.hidden = false;
  }
  input.addEventListener("input", show);
  show();
  form.addEventListener("submit", function () { setTimeout(function () { document.getElementById("close").disabled = true; }, 0); });
})();
