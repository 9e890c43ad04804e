/* Draw the public pages' charts with the vendored Chart.js.

   Each <canvas data-chart="ID"> names a <script type="application/json" id="ID"> written with
   json_script: no inline script, nothing from another site. The same figures are in a table
   next to every chart, so a browser without JavaScript (or a screen reader) loses nothing.

   Amounts arrive as decimal strings (the server never uses floats for money) and become
   numbers here only to be drawn. A count the page does not show ("<5", or hidden so that it
   cannot be worked out from a total) arrives as null and is drawn as no bar at all.

   The categories of a horizontal chart are long in Thai ("สวัสดิการซ่อมแซม/สร้างที่อยู่อาศัย"):
   on a phone they would take the chart's whole width or be cut off, so they are broken into
   lines at word boundaries (Intl.Segmenter knows Thai words) to fit a share of the width. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var Chart = window.Chart;
  // Colours that stay apart for the common kinds of colour blindness (Okabe–Ito), then greys.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#000000", "#7f7f7f", "#b3b3b3", "#4d4d4d", "#999933", "#882255", "#44AA99"];
  var body = window.getComputedStyle(document.body);
  var lang = document.documentElement.lang || "th";
  var FONT = 15;
  var LINE = Math.round(FONT * 1.3);
  Chart.defaults.font.family = body.fontFamily;
  Chart.defaults.font.size = FONT;
  Chart.defaults.color = body.color;
  Chart.defaults.animation = false;

  function number(value) {
    if (value === null || value === undefined) { return null; }
    return typeof value === "number" ? value : Number(value);
  }

  function format(value, unit) {
    var digits = unit === "baht" ? 2 : 0;
    return number(value).toLocaleString(lang, {
      minimumFractionDigits: digits, maximumFractionDigits: digits
    });
  }

  // ------------------------------------------------------------ long labels into lines

  var segmenter = null;
  if (window.Intl && typeof window.Intl.Segmenter === "function") {
    segmenter = new window.Intl.Segmenter(lang, { granularity: "word" });
  }

  function pieces(text) {
    if (segmenter) {
      return Array.prototype.map.call(Array.from(segmenter.segment(text)), function (s) {
        return s.segment;
      });
    }
    // Without a segmenter: break after spaces and slashes only (Thai words stay whole).
    var out = [];
    var word = "";
    for (var i = 0; i < text.length; i += 1) {
      word += text[i];
      if (text[i] === " " || text[i] === "/") { out.push(word); word = ""; }
    }
    if (word) { out.push(word); }
    return out;
  }

  function wrap(text, width, measure) {
    var lines = [];
    var line = "";
    pieces(String(text)).forEach(function (piece) {
      var next = line + piece;
      if (line.trim() && measure.measureText(next.trim()).width > width) {
        lines.push(line.trim());
        line = piece.trim() ? piece : "";
      } else {
        line = next;
      }
    });
    if (line.trim()) { lines.push(line.trim()); }
    return lines.length ? lines : [String(text)];
  }

  function wrapLabels(labels, width) {
    var measure = document.createElement("canvas").getContext("2d");
    measure.font = FONT + "px " + body.fontFamily;
    return labels.map(function (label) { return wrap(label, width, measure); });
  }

  // ------------------------------------------------------------ one chart

  function config(spec, labels) {
    var horizontal = spec.horizontal === true;
    var datasets = spec.datasets.map(function (d, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: d.label,
        data: d.data.map(number),
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: 0,
        maxBarThickness: 48
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked === true,
      // A count shown is 0 or at least 5: an axis to 5 at least, even for a year of zeros.
      suggestedMax: spec.unit === "count" ? 5 : undefined,
      // Whole numbers on the axis: no "0.5 members", and baht read at a glance.
      ticks: { precision: 0, callback: function (v) { return format(v, "count"); } }
    };
    var labelAxis = { stacked: spec.stacked === true, ticks: { autoSkip: !horizontal } };
    return {
      type: "bar",
      data: { labels: labels, datasets: datasets },
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
              title: function (items) {
                // The whole label, not its lines.
                return items.length ? spec.labels[items[0].dataIndex] : "";
              },
              label: function (ctx) {
                if (ctx.raw === null) { return ""; }
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
    var labels = spec.labels;
    if (spec.horizontal === true) {
      var box = canvas.parentNode;
      // At most 45 % of the chart's width for the labels (at 390 px, about 150 px), the rest
      // for the bars; each category as tall as its lines, and never less than a tap.
      var room = Math.max(96, Math.min(box.clientWidth * 0.45, 320));
      labels = wrapLabels(spec.labels, room);
      var height = labels.reduce(function (sum, lines) {
        return sum + Math.max(lines.length * LINE + 14, 44);
      }, 0);
      box.style.height = (height + 64) + "px";
    }
    new Chart(canvas, config(spec, labels));
  });
}());
