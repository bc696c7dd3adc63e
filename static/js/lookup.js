// The search boxes of ledger.lookups: typing asks /lookup/<name>/?q=… and offers the
// matches; choosing one puts its key into the hidden input the filter form sends.
// Names are set as text (textContent), never as HTML.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("input[data-lookup]")) {
    const hidden = box.parentElement.querySelector("input[data-lookup-value]");
    const list = document.createElement("ul");
    list.className = "lookup-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.after(list);
    let timer = null;
    let active = -1;

    const close = () => {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      active = -1;
    };
    const choose = (item) => {
      hidden.value = item.dataset.id;
      box.value = item.textContent;
      close();
    };
    const highlight = (index) => {
      const items = list.querySelectorAll("li");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach((item, i) => item.setAttribute("aria-selected", i === active ? "true" : "false"));
    };
    const search = async () => {
      const url = `${box.dataset.lookup}?q=${encodeURIComponent(box.value.trim())}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { results } = await response.json();
      list.replaceChildren();
      for (const result of results) {
        const item = document.createElement("li");
        item.setAttribute("role", "option");
        item.dataset.id = result.id;
        item.textContent = result.text;
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(item);
        });
        list.append(item);
      }
      list.hidden = results.length === 0;
      box.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      active = -1;
    };

    box.addEventListener("input", () => {
      hidden.value = ""; // typed text is not a choice until one is picked
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    box.addEventListener("focus", () => {
      if (!box.value) search();
    });
    box.addEventListener("blur", close);
    box.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll("li")[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }
});
