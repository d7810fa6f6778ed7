// Small progressive enhancements; every page works without this file.
"use strict";

// Controls that only matter without JavaScript (a picker's "Show" button) hide under `.js`.
document.documentElement.classList.add("js");

// Steppers: − and + change the number beside them within its min and max.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-step]");
  if (!button) return;
  const input = button.parentElement.querySelector("input");
  const min = Number(input.min || 0);
  const max = input.max === "" ? Infinity : Number(input.max);
  const next = Math.min(max, Math.max(min, (Number(input.value) || 0) + Number(button.dataset.step)));
  input.value = next;
  input.dispatchEvent(new Event("change", { bubbles: true }));
});

// The visit form shows only what applies: help given when someone was met, follow-up details when asked.
function syncVisitForm(form) {
  const chosen = form.querySelector("input[name=outcome]:checked");
  form.classList.toggle("not-met", !!chosen && chosen.value !== "met");
  const followup = form.querySelector("input[name=followup_needed]");
  form.classList.toggle("wants-followup", !!followup && followup.checked);
}
document.addEventListener("change", (event) => {
  const form = event.target.closest(".visit-form");
  if (form) syncVisitForm(form);
  // A board's "indicator shown" picker applies as soon as it changes (its button is there without JavaScript).
  const picker = event.target.closest("form[data-autosubmit]");
  if (picker) picker.requestSubmit();
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".visit-form").forEach(syncVisitForm);
});

// The print view's "Print" button (the page also prints from the browser's own menu).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
