// The export jobs' progress bars ("我的导出"): asks each running job's status every two
// seconds and moves its bar; when one finishes, reloads the page so its download link shows.
// Progressive enhancement only: without this file the page's Refresh link does the same.
document.addEventListener("DOMContentLoaded", () => {
  const running = [...document.querySelectorAll(".job-progress[data-job-active]")];
  if (!running.length) return;
  const poll = async () => {
    let finished = false;
    for (const box of running) {
      try {
        const response = await fetch(box.dataset.jobStatus, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) continue;
        const job = await response.json();
        box.querySelector("progress").value = job.progress;
        box.querySelector(".job-percent").textContent = `${job.progress}%`;
        box.querySelector(".job-status").textContent = job.status_label;
        box.querySelector(".job-message").textContent = job.message;
        if (!job.active) finished = true;
      } catch {
        // A dropped connection: try again at the next tick.
      }
    }
    if (finished) window.location.reload();
    else window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 1000);
});
