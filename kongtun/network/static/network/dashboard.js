/* Draw the dashboard's charts with the vendored Chart.js.

   Each <canvas data-chart="ID"> names a <script type="application/json" id="ID"> that the page
   wrote with json_script: no inline script, nothing from another site. The same figures are in
   a table next to every chart, so a browser without JavaScript (or a screen reader) loses
   nothing. Amounts arrive as decimal strings (the server never uses floats for money); they
   become numbers here only to be drawn. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var Chart = window.Chart;
  // Colours that stay apart for the common kinds of colour blindness (Okabe–Ito), then greys.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#000000", "#7f7f7f", "#b3b3b3", "#4d4d4d", "#999933", "#882255", "#44AA99"];
  var body = window.getComputedStyle(document.body);
  var lang = document.documentElement.lang || "th";
  Chart.defaults.font.family = body.fontFamily;
  Chart.defaults.font.size = 15;
  Chart.defaults.color = body.color;
  Chart.defaults.animation = false;

  function number(value) { return typeof value === "number" ? value : Number(value); }

  function format(value, unit) {
    var digits = unit === "baht" ? 2 : 0;
    return number(value).toLocaleString(lang, {
      minimumFractionDigits: digits, maximumFractionDigits: digits
    });
  }

  function config(spec) {
    var horizontal = spec.horizontal === true;
    var datasets = spec.datasets.map(function (d, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: d.label,
        data: d.data.map(number),
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: spec.type === "line" ? 3 : 0,
        pointRadius: spec.type === "line" ? 4 : 0,
        tension: 0
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked === true,
      // Whole numbers on the axis: no "0.5 members", and baht read at a glance.
      ticks: { precision: 0, callback: function (v) { return format(v, "count"); } }
    };
    var labelAxis = { stacked: spec.stacked === true, ticks: { autoSkip: !horizontal } };
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: {
          legend: {
            display: datasets.length > 1,
            position: "bottom",
            labels: { boxWidth: 16, padding: 12 }
          },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + format(ctx.raw, spec.unit);
              }
            }
          }
        }
      }
    };
  }

  var canvases = document.querySelectorAll("canvas[data-chart]");
  Array.prototype.forEach.call(canvases, function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var figure = canvas.closest("figure");
    if (figure) {
      figure.classList.add("chart-drawn");
      // The figures' table is open for browsers that cannot draw; once drawn, it folds away.
      var details = figure.querySelector("details");
      if (details) { details.open = false; }
    }
    if (spec.horizontal === true) {
      // One bar per label, each tall enough to tap and to read its label.
      canvas.parentNode.style.height = (spec.labels.length * 2.6 + 5) + "rem";
    }
    new Chart(canvas, config(spec));
  });
}());
