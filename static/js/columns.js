// A list's columns a reader hides (the "Columns shown" box above the table), remembered in
// this browser for that list. Only the page changes: exports keep every column.
document.addEventListener("DOMContentLoaded", () => {
  const chooser = document.querySelector("[data-column-chooser]");
  const table = document.querySelector("table.ledger");
  if (!chooser || !table) return;
  const key = `aidledger:hidden-columns:${location.pathname}`;
  const read = () => {
    try {
      return new Set(JSON.parse(localStorage.getItem(key) || "[]"));
    } catch {
      return new Set();
    }
  };
  const hidden = read();
  const show = (column, visible) => {
    for (const cell of table.querySelectorAll(`th.col-${CSS.escape(column)}, td.col-${CSS.escape(column)}`)) {
      cell.hidden = !visible;
    }
  };
  for (const box of chooser.querySelectorAll("input[type=checkbox]")) {
    box.checked = !hidden.has(box.value);
    show(box.value, box.checked);
    box.addEventListener("change", () => {
      if (box.checked) hidden.delete(box.value);
      else hidden.add(box.value);
      show(box.value, box.checked);
      try {
        localStorage.setItem(key, JSON.stringify([...hidden]));
      } catch {
        // Storage refused (private mode): the choice lasts until the page is left.
      }
    });
  }
  chooser.hidden = false;
});
