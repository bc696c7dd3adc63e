// The admin's amount boxes (MoneyFormField, data-money): while the clerk types 1000000.00,
// the box's hint reads "1,000,000.00 元 · 100.00 万元", so a missing or extra zero shows before
// saving. Arithmetic in whole fen (BigInt), never floating point; the server still decides
// what is valid (ledger.fields.read_amount) and says why when it is not.
(() => {
  const FULL_WIDTH = /[０-９．，＋－]/g;
  const toHalfWidth = (text) =>
    text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const group = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

  // Whole fen of the text, or null when it is not an amount the hint can read.
  const fenOf = (text) => {
    const plain = toHalfWidth(text).replace(/[,\s]/g, "");
    const match = /^([+-]?)(\d+)(?:\.(\d{0,2}))?$/.exec(plain);
    if (!match) return null;
    const fen = BigInt(match[2]) * 100n + BigInt((match[3] || "").padEnd(2, "0"));
    return match[1] === "-" ? -fen : fen;
  };
  // fen / 10^scale as text with `places` decimals, rounded half away from zero, grouped.
  const shown = (fen, scale, places) => {
    const negative = fen < 0n;
    let value = negative ? -fen : fen;
    const drop = 10n ** BigInt(scale - places);
    value = (value + drop / 2n) / drop;
    const unit = 10n ** BigInt(places);
    const whole = group((value / unit).toString());
    const part = (value % unit).toString().padStart(places, "0");
    return `${negative ? "-" : ""}${whole}${places ? "." + part : ""}`;
  };

  const update = (input) => {
    let hint = input.nextElementSibling;
    if (!hint || !hint.classList.contains("money-hint")) {
      hint = document.createElement("span");
      hint.className = "money-hint";
      hint.setAttribute("aria-live", "polite");
      input.after(hint);
    }
    const fen = input.value.trim() ? fenOf(input.value) : null;
    const { yuan, wan } = input.dataset;
    hint.textContent = fen === null ? "" : `${shown(fen, 2, 2)} ${yuan} · ${shown(fen, 6, 2)} ${wan}`;
  };

  document.addEventListener("input", (event) => {
    if (event.target.matches("input[data-money]")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", () => {
    for (const input of document.querySelectorAll("input[data-money]")) {
      if (!input.name.includes("__prefix__")) update(input);
    }
  });
})();
