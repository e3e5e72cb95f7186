/* Kinerja ASN: the SKP dashboards (Chart.js 4, vendored). The numbers come from the page's
   <script type="application/json" id="dasbor-data"> (json_script); every chart also has a
   table with the same numbers, so nothing here is the only way to read them. */
(function () {
  "use strict";
  var source = document.getElementById("dasbor-data");
  if (!source || typeof window.Chart !== "function") {
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

  var PHASE_COLOURS = {
    plan_drafted: "#c6dbef",
    agreed: "#9ecae1",
    monitored: "#6baed6",
    self_assessed: "#4292c6",
    reviewed: "#2171b5",
    discussed: "#08519c",
    final: "#1d6b36"
  };
  var PREDIKAT_COLOURS = {
    sangat_baik: "#1d6b36",
    baik: "#5aa469",
    butuh_perbaikan: "#c98a00",
    kurang: "#d9642b",
    sangat_kurang: "#b3261e"
  };

  function shortLabel(text) {
    var narrow = window.innerWidth < 600;
    var limit = narrow ? 18 : 40;
    return text.length > limit ? text.slice(0, limit - 1) + "\u2026" : text;
  }

  // A horizontal bar chart grows with its rows, so long unit lists stay readable.
  // Phones stack the legend in more lines, so they get more room below the bars.
  function sizeBox(canvas, rows, perRow) {
    var box = canvas.parentElement;
    var legend = window.innerWidth < 600 ? 150 : 90;
    box.style.height = Math.max(220, rows * (perRow || 34) + legend) + "px";
  }

  function unitAxis(title) {
    return {
      title: { display: false, text: title },
      ticks: {
        autoSkip: false,
        callback: function (value) {
          return shortLabel(String(this.getLabelForValue(value)));
        }
      }
    };
  }

  function countAxis(title, stacked) {
    return {
      stacked: stacked,
      beginAtZero: true,
      title: { display: true, text: title },
      ticks: { precision: 0 }
    };
  }

  function legend() {
    return { position: "bottom", labels: { boxWidth: 14, boxHeight: 14 } };
  }

  var funnelCanvas = document.getElementById("chart-funnel");
  if (funnelCanvas) {
    sizeBox(funnelCanvas, data.funnel.units.length);
    var yFunnel = unitAxis(data.axis.units);
    yFunnel.stacked = true;
    new Chart(funnelCanvas, {
      type: "bar",
      data: {
        labels: data.funnel.units,
        datasets: data.funnel.series.map(function (series) {
          return {
            label: series.label,
            data: series.counts,
            backgroundColor: PHASE_COLOURS[series.key] || "#8c98a8",
            maxBarThickness: 28
          };
        })
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: countAxis(data.axis.count, true), y: yFunnel },
        plugins: { legend: legend() }
      }
    });
  }

  var overdueCanvas = document.getElementById("chart-overdue");
  if (overdueCanvas) {
    sizeBox(overdueCanvas, data.overdue.units.length);
    new Chart(overdueCanvas, {
      type: "bar",
      data: {
        labels: data.overdue.units,
        datasets: [
          {
            label: data.overdue.label,
            data: data.overdue.counts,
            backgroundColor: "#b3261e",
            maxBarThickness: 28
          }
        ]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: countAxis(data.axis.count, false), y: unitAxis(data.axis.units) },
        plugins: { legend: { display: false } }
      }
    });
  }

  var curveCanvas = document.getElementById("chart-curve");
  var curveSelect = document.getElementById("curve-unit");
  if (curveCanvas && data.curve.length) {
    var curveChart = null;
    var showCurve = function (index) {
      var unit = data.curve[index];
      var chartData = {
        labels: unit.categories,
        datasets: [
          { label: data.curve_labels.actual, data: unit.actual, backgroundColor: "#0b4f8a" },
          { label: data.curve_labels.max, data: unit.max, backgroundColor: "#e8a09b" },
          { label: data.curve_labels.min, data: unit.min, backgroundColor: "#f3cf70" }
        ]
      };
      if (curveChart) {
        sizeBox(curveCanvas, unit.categories.length, 66);
        curveChart.data = chartData;
        curveChart.update();
        return;
      }
      sizeBox(curveCanvas, unit.categories.length, 66);
      curveChart = new Chart(curveCanvas, {
        type: "bar",
        data: chartData,
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            x: { beginAtZero: true, max: 100, title: { display: true, text: data.axis.percent } },
            y: unitAxis(data.axis.units)
          },
          plugins: { legend: legend() }
        }
      });
    };
    showCurve(0);
    if (curveSelect) {
      curveSelect.addEventListener("change", function () {
        showCurve(Number(curveSelect.value) || 0);
      });
    }
  }

  var trendCanvas = document.getElementById("chart-trend");
  if (trendCanvas) {
    new Chart(trendCanvas, {
      type: "line",
      data: {
        labels: data.trend.periods,
        datasets: data.trend.series.map(function (series) {
          var colour = PREDIKAT_COLOURS[series.key] || "#5b6675";
          return {
            label: series.label,
            data: series.counts,
            borderColor: colour,
            backgroundColor: colour,
            tension: 0
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: countAxis(data.axis.count, false) },
        plugins: { legend: legend() }
      }
    });
  }
})();
