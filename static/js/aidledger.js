// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A changed page-size choice applies at once instead of waiting for the Filter button.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
