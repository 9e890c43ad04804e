/* The pay button works once: a second click while the page is sending does nothing (the
   service also pays a claim only once). */
(function () {
  var form = document.getElementById("pay-form");
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
})();
