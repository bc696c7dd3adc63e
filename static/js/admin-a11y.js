// The admin's search-as-you-type boxes (select2, Django's autocomplete_fields) draw their own
// combobox beside the hidden <select>, without its name: a screen reader announced an unnamed
// combobox. Give each the name of its field (its <label>, or the aria-label a table row's box
// carries).
(() => {
  const name = (select) => {
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    return (label && label.textContent.replace(/[:：]\s*$/, "").trim()) || select.getAttribute("aria-label");
  };
  const labelAll = () => {
    for (const box of document.querySelectorAll(".select2-selection[role='combobox']:not([aria-label])")) {
      const container = box.closest(".select2");
      const select = container && container.previousElementSibling;
      const text = select && select.tagName === "SELECT" ? name(select) : null;
      if (text) box.setAttribute("aria-label", text);
    }
  };
  window.addEventListener("load", labelAll);
  // A row added with "Add another …" gets its boxes after Django's own handler has run.
  document.addEventListener("formset:added", () => setTimeout(labelAll));
})();
