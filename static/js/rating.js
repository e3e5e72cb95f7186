/* Kinerja ASN: the rating page's curve chart (Chart.js 4, vendored). The numbers come from
   the page's <script type="application/json" id="rating-curve-data"> (json_script); the same
   numbers are in the table below the chart. When htmx swaps in a new predikat preview, its
   "rating-after-data" adds the spread this result would give. */
(function () {
  "use strict";
  var source = document.getElementById("rating-curve-data");
  var canvas = document.getElementById("rating-curve-chart");
  if (!source || !canvas || typeof window.Chart !== "function") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1d2430";
  if (reduceMotion) {
    Chart.defaults.animation = false;
  }

  function shortLabel(text) {
    var limit = window.innerWidth < 600 ? 16 : 34;
    return text.length > limit ? text.slice(0, limit - 1) + "\u2026" : text;
  }

  // The chart grows with its rows; phones stack the legend in more lines.
  var box = canvas.parentElement;
  box.style.height = Math.max(240, data.labels.length * 58 + (window.innerWidth < 600 ? 120 : 70)) + "px";

  function afterSeries() {
    var after = document.getElementById("rating-after-data");
    return after ? JSON.parse(after.textContent) : null;
  }

  var datasets = [
    { label: data.text.actual, data: data.actual, backgroundColor: "#0b4f8a", maxBarThickness: 16 },
    { label: data.text.min, data: data.min, backgroundColor: "#f3cf70", maxBarThickness: 16 },
    { label: data.text.max, data: data.max, backgroundColor: "#e8a09b", maxBarThickness: 16 }
  ];
  var initial = afterSeries();
  var afterDataset = { label: data.text.after, data: initial || [], backgroundColor: "#1d6b36", maxBarThickness: 16, hidden: !initial };
  datasets.splice(1, 0, afterDataset);

  var chart = new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: datasets },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { beginAtZero: true, max: 100, title: { display: true, text: data.text.percent } },
        y: {
          ticks: {
            autoSkip: false,
            callback: function (value) {
              return shortLabel(String(this.getLabelForValue(value)));
            }
          }
        }
      },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 14, boxHeight: 14 } } }
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "rating-live") {
      return;
    }
    var after = afterSeries();
    afterDataset.data = after || [];
    chart.setDatasetVisibility(1, Boolean(after));
    chart.update();
  });
})();
