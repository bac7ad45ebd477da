// HH Quiz: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  // Number keys 1-6 pick the matching option of the question on screen.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" && target.type !== "radio" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    var n = parseInt(event.key, 10);
    if (!(n >= 1 && n <= 6)) return;
    var inputs = document.querySelectorAll("form.question-form input[type=radio]");
    if (inputs.length >= n) {
      inputs[n - 1].checked = true;
      inputs[n - 1].focus();
    }
  });

  // After an htmx swap, move focus to the element that asks for it (the
  // feedback after answering, the next question), so keyboard and screen
  // reader users land where the new content is.
  // (outerHTML swaps replace the target, so look in the whole document.)
  document.addEventListener("htmx:afterSettle", function () {
    var el = document.querySelector("[data-autofocus]");
    if (el) el.focus();
  });

  // Content note before the finale: shown when "Episode 6 — finished" is picked.
  function syncContentNote() {
    var select = document.getElementById("id_watched_through");
    var note = document.getElementById("finale-note");
    if (!select || !note) return;
    note.hidden = select.value !== "6";
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_watched_through") syncContentNote();
  });
  document.addEventListener("DOMContentLoaded", syncContentNote);
  document.addEventListener("htmx:afterSettle", syncContentNote);
})();
