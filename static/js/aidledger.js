// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A changed page-size choice applies at once instead of waiting for the Filter button.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // On a phone a list's filters fold behind their summary (筛选 and the filters in effect), so
  // the rows come first; a filter that needs correcting keeps them open.
  if (window.matchMedia("(max-width: 40rem)").matches) {
    for (const panel of document.querySelectorAll("details[data-fold-narrow]")) {
      if (!panel.querySelector(".has-error")) panel.open = false;
    }
  }
});
