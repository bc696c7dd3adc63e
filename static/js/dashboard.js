// The dashboard's charts (Chart.js, vendored under static/vendor/chartjs/).
// Progressive enhancement: every figure is also in the cards and tables, so without this file
// or without Chart.js the page loses nothing but the pictures.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("summary-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const Chart = window.Chart;

  // Muted colours that survive a black-and-white printer (distinct lightness).
  const palette = ["#b3261e", "#1f4e79", "#5b8c3a", "#c7892b", "#6d4c8f", "#2a8c8c", "#8a8a8a", "#d46a6a", "#4a4a4a"];
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = "#1f2933";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false; // what is printed is what is shown, at once

  const builders = {
    disbursed_by_month: () => ({
      type: "bar",
      data: {
        labels: data.months,
        datasets: [{ label: data.disbursed_by_month.label, data: data.disbursed_by_month.data, backgroundColor: palette[0] }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    }),
    by_sector: () => ({
      type: "bar",
      data: {
        labels: data.by_sector.labels,
        datasets: [
          { label: data.by_sector.planned_label, data: data.by_sector.planned, backgroundColor: palette[1] },
          { label: data.by_sector.disbursed_label, data: data.by_sector.disbursed, backgroundColor: palette[0] },
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    }),
    exchanges_by_month: () => ({
      type: "bar",
      data: {
        labels: data.months,
        datasets: data.exchanges_by_month.map((set, index) => ({
          label: set.label, data: set.data, backgroundColor: palette[index % palette.length],
        })),
      },
      options: {
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    }),
    funnel: () => ({
      type: "bar",
      data: {
        labels: data.funnel.labels,
        datasets: [{ label: data.funnel.label, data: data.funnel.data, backgroundColor: palette[1] }],
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    }),
  };

  const charts = [];
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const build = builders[canvas.dataset.chart];
    if (build) charts.push(new Chart(canvas, build()));
  }
  // Printed boxes are smaller than on screen: redraw the charts to fit them.
  const fit = () => { for (const chart of charts) chart.resize(); };
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
  window.matchMedia("print").addEventListener("change", fit);
});
