/* Kinerja ASN: the SKP page. Everything here only helps; each form and number works without it.
   - The indicator library picker fills the indicator's fields as an entry is chosen (the
     library comes from <script type="application/json" id="pustaka-indikator">).
   - The keberatan decision form: "Ditolak" keeps the result, so choosing it sets the new
     ratings back to "Tidak diubah", hides them and the new predikat, and asks htmx for the
     preview again (the server shows none for a rejection and ignores posted ratings too);
     choosing "Diterima" again shows them.
   - The monitoring tab's line chart of achievement per indicator per period (Chart.js 4,
     vendored; the numbers come from <script type="application/json" id="grafik-capaian">
     and are also in the table below the chart). */
(function () {
  "use strict";

  function readJson(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  // Indicator library: delegated, so forms swapped in by htmx work too.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || !select.matches || !select.matches("select[data-library]")) {
      return;
    }
    var library = readJson("pustaka-indikator") || {};
    var entry = library[select.value];
    var form = select.form;
    if (!entry || !form) {
      return;
    }
    ["text", "aspect", "target_unit", "target_value"].forEach(function (name) {
      var field = form.querySelector("[name$='-" + name + "']");
      if (field && !field.value && entry[name]) {
        field.value = entry[name];
      }
    });
  });

  // Keberatan decision: no new ratings (and no new predikat) for a rejection.
  function decisionState(form, refresh) {
    var chosen = form.querySelector("input[name='decision']:checked");
    var rejected = Boolean(chosen && chosen.value === "rejected");
    var groups = form.querySelector(".rating-groups");
    var live = document.getElementById("decision-live");
    if (rejected && groups) {
      groups.querySelectorAll("input[type='radio']").forEach(function (radio) {
        radio.checked = radio.value === "";
      });
    }
    if (groups) {
      groups.hidden = rejected;
    }
    if (live) {
      live.hidden = rejected;
    }
    if (rejected) {
      var announce = document.getElementById("decision-announce");
      if (announce) {
        announce.textContent = "";
      }
    }
    if (refresh && groups && window.htmx) {
      window.htmx.trigger(groups, "change");
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches("#decision-form input[name='decision']")) {
      return;
    }
    decisionState(input.form, true);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("decision-form");
    if (form) {
      decisionState(form, false);
    }
  });

  var COLOURS = ["#0b4f8a", "#1d6b36", "#c98a00", "#b3261e", "#6a3d9a", "#0f7c8c", "#8c564b", "#d9642b"];

  function drawChart() {
    var canvas = document.getElementById("chart-capaian");
    var data = readJson("grafik-capaian");
    if (!canvas || !data || typeof window.Chart !== "function") {
      return;
    }
    var Chart = window.Chart;
    var narrow = window.innerWidth < 600;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#1d2430";
    canvas.parentElement.style.height = (narrow ? 260 + 22 * data.series.length : 320) + "px";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.periods,
        datasets: data.series.map(function (series, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: series.label,
            data: series.data,
            borderColor: colour,
            backgroundColor: colour,
            spanGaps: true,
            tension: 0.2,
            pointRadius: 4
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: data.axis } }
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxWidth: 14,
              boxHeight: 14,
              generateLabels: function (chart) {
                var items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
                var limit = narrow ? 32 : 60;
                items.forEach(function (item) {
                  if (item.text.length > limit) {
                    item.text = item.text.slice(0, limit - 1) + "\u2026";
                  }
                });
                return items;
              }
            }
          },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + context.formattedValue + "%";
              }
            }
          }
        }
      }
    });
  }

  // Deferred scripts (Chart.js is loaded by the tab, after this file) have all run by now.
  document.addEventListener("DOMContentLoaded", drawChart);
})();
