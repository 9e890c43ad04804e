/* Scan a member card's QR code with the phone's camera and open that member's payment page.

   The card's QR code holds the member's page in the fund, /f/<fund>/members/<uuid>/. This uses
   the browser's own BarcodeDetector and camera (no library, nothing loaded from elsewhere).
   Where the browser has no BarcodeDetector it says so: the search box always works, and so does
   the phone's own camera app, since the member's page links to taking their payment. */
(function () {
  "use strict";
  var box = document.getElementById("scan");
  if (!box) { return; }
  var start = document.getElementById("scan-start");
  var stopButton = document.getElementById("scan-stop");
  var view = document.getElementById("scan-view");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var problem = document.getElementById("scan-problem");
  var words = document.getElementById("scan-messages").content;
  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  var CARD = /\/f\/([^\/?#]+)\/members\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?(?:[?#].*)?$/i;
  var stream = null;
  var timer = null;

  function say(key) {
    var el = words.querySelector('[data-key="' + key + '"]');
    return el ? el.textContent : key;
  }

  function showProblem(key) {
    problem.textContent = say(key);
    problem.hidden = false;
    var search = document.getElementById("id_q");
    if (search) { search.focus(); }
  }

  /* The member's uuid in a scanned text, or the reason it is not one of this fund's cards. */
  function read(text) {
    var m = CARD.exec(String(text || "").trim());
    if (!m) { return { error: "not-card" }; }
    if (m[1] !== box.getAttribute("data-fund")) { return { error: "other-fund" }; }
    return { member: m[2].toLowerCase() };
  }

  function stop() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    view.hidden = true;
    start.hidden = false;
  }

  function supported() {
    return "BarcodeDetector" in window && !!navigator.mediaDevices &&
      typeof navigator.mediaDevices.getUserMedia === "function";
  }

  function look(detector) {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      for (var i = 0; i < codes.length; i++) {
        var found = read(codes[i].rawValue);
        if (found.member) {
          stop();
          window.location.assign(box.getAttribute("data-pay-url").replace(PLACEHOLDER, found.member));
          return;
        }
        status.textContent = say(found.error);
      }
      timer = setTimeout(function () { look(detector); }, 200);
    }, function () {
      /* The video may not have a frame yet; try again shortly. */
      timer = setTimeout(function () { look(detector); }, 400);
    });
  }

  start.addEventListener("click", function () {
    problem.hidden = true;
    if (!supported()) { showProblem("unsupported"); return; }
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      showProblem("unsupported");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        view.hidden = false;
        start.hidden = true;
        return video.play();
      })
      .then(function () { look(detector); })
      .catch(function () { stop(); showProblem("denied"); });
  });
  stopButton.addEventListener("click", stop);
  box.hidden = false;  /* without this script there is nothing to press: the box stays hidden */
})();
