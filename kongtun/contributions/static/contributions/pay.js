/* The quick choices fill the amount. The record button works once: a second click while the
   page is sending does nothing (the form's one-time key also makes the server record once). */
(function () {
  var form = document.getElementById("pay-form");
  var amount = form.querySelector("input.amount");
  var record = document.getElementById("record");
  form.querySelectorAll("#quick button").forEach(function (button) {
    button.addEventListener("click", function () {
      amount.value = button.getAttribute("data-amount");
      form.querySelectorAll("#quick button").forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
      record.focus();
    });
  });
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    setTimeout(function () { record.disabled = true; }, 0);
  });
})();
