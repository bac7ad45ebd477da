// HH Quiz: one-tap answers, the timed-mode countdown and the share button.
// Progressive enhancement only: without this file every form still posts.
(function () {
  "use strict";

  var finePointer = window.matchMedia && window.matchMedia("(pointer: fine)").matches;

  function setUp() {
    // Number keys work with a keyboard only: touch screens never see the hint.
    document.querySelectorAll(".key-hint").forEach(function (hint) {
      hint.hidden = !finePointer;
    });
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = !(navigator.clipboard && window.isSecureContext);
    });
    startCountdown();
  }

  // One tap: choosing an option with a pointer (finger, mouse) submits it;
  // htmx takes the submit. Arrow keys and Space also "click" radios, so the
  // last input device decides: a keyboard user moves between options freely
  // and confirms with Enter, which submits the form as usual.
  var lastPointerAt = 0;
  document.addEventListener("pointerdown", function () { lastPointerAt = Date.now(); }, true);
  document.addEventListener("keydown", function () { lastPointerAt = 0; }, true);
  document.addEventListener("click", function (event) {
    var input = event.target;
    if (!input || input.tagName !== "INPUT" || input.type !== "radio") return;
    if (Date.now() - lastPointerAt > 2000) return;
    var form = input.closest("form.question-form");
    if (!form || form.dataset.sent) return;
    form.dataset.sent = "1";
    form.requestSubmit();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target && event.target.closest && event.target.closest("form.question-form");
    if (form) delete form.dataset.sent;
  });

  // Timed mode: the server set the deadline and says how many seconds are
  // left; at zero the page asks the server for the question again, which
  // records the time-out and answers with the feedback, swapped in place.
  var timer = null;
  function startCountdown() {
    if (timer) { clearInterval(timer); timer = null; }
    var box = document.querySelector(".timer[data-seconds-left]");
    if (!box) return;
    var endsAt = Date.now() + parseFloat(box.dataset.secondsLeft) * 1000;
    var out = box.querySelector(".countdown");
    var warned = false;
    function tick() {
      if (!document.body.contains(box)) { clearInterval(timer); timer = null; return; }
      var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      out.textContent = left + " s left";
      if (left <= 5 && !warned) { warned = true; out.setAttribute("aria-live", "assertive"); box.classList.add("hurry"); }
      if (Date.now() >= endsAt) {
        clearInterval(timer);
        timer = null;
        // The server grants a short grace after the deadline: ask just after it.
        setTimeout(function () {
          if (!document.body.contains(box) || !window.htmx) return;
          window.htmx.ajax("GET", box.dataset.expireUrl, { target: "#question-card", swap: "outerHTML" });
        }, 1200);
      }
    }
    tick();
    timer = setInterval(tick, 250);
  }

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    navigator.clipboard.writeText(field.value).then(function () {
      if (status) status.textContent = "Copied.";
    }, function () {
      field.select();
      if (status) status.textContent = "Select the text and copy it.";
    });
  });

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
