// HH Quiz: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

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

  // The page's persistent live region: cleared, then filled a moment later, so
  // the same words twice in a row are read twice.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // Points count up from zero (the number is in the HTML already without JS).
  function countUp(el) {
    var end = parseInt(el.textContent, 10);
    if (!(end > 0) || (reducedMotion && reducedMotion.matches)) return;
    var start = null;
    var duration = 600;
    function step(now) {
      if (start === null) start = now;
      var t = Math.min(1, (now - start) / duration);
      el.textContent = String(Math.round(end * (1 - Math.pow(1 - t, 3))));
      if (t < 1) window.requestAnimationFrame(step);
    }
    el.textContent = "0";
    window.requestAnimationFrame(step);
  }

  // After a question or its feedback is swapped in: the title, the live region
  // and the focus follow, so keyboard and screen reader users land on the new content.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (!root || !root.querySelector) return;
    var card = root.matches && root.matches("[data-title]") ? root : root.querySelector("[data-title]");
    if (!card) return;
    document.title = card.getAttribute("data-title");
    // The progress and the question; or, once answered, the feedback.
    var parts = card.querySelector(".feedback") ? card.querySelectorAll(".feedback[data-announce]") : card.querySelectorAll("[data-announce]");
    announce(Array.prototype.map.call(parts, function (el) { return el.textContent.replace(/\s+/g, " ").trim(); }).join(": "));
    var focus = card.querySelector("[data-autofocus]");
    if (focus) focus.focus({ preventScroll: focus.tagName === "H1" });
    Array.prototype.forEach.call(card.querySelectorAll("[data-count-up]"), countUp);
  });

  // htmx errors are never silent. A 4xx form re-renders with its errors (swapped
  // in as usual); an error page (403, 404: [data-error-message]) is not swapped
  // into the quiz but summed up in #htmx-alert; a 5xx or a dropped connection too.
  function showError(message) {
    var alert = document.getElementById("htmx-alert");
    if (!alert) return;
    alert.textContent = "";
    var p = document.createElement("p");
    p.textContent = message + " ";
    var link = document.createElement("a");
    link.href = window.location.href;
    link.textContent = "Reload the page";
    p.appendChild(link);
    alert.appendChild(p);
    alert.scrollIntoView({ block: "nearest" });
  }
  // A stale CSRF token (the visitor logged in or out in another tab): take the
  // fresh one from the cookie and send the request once more. Answering and
  // reporting are idempotent, so a retry is safe.
  var cookieAtSend = "";
  function cookieToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function retryWithFreshToken(detail) {
    var config = detail.requestConfig;
    if (detail.xhr.status !== 403 || !config || config.headers["X-Retry"]) return false;
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    var fresh = cookieToken();
    // No cookie when it was sent: the session is gone, not just the token; say so instead.
    if (!cookieAtSend || !fresh || fresh === headers["x-csrftoken"]) return false;
    headers["x-csrftoken"] = fresh;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
    // Forms carry the token too, and Django reads the form's before the header.
    Array.prototype.forEach.call(document.querySelectorAll("input[name=csrfmiddlewaretoken]"), function (input) {
      input.value = fresh;
    });
    htmx.ajax(config.verb, config.path, { source: config.elt, target: detail.target, headers: { "X-Retry": "1" } });
    return true;
  }
  document.addEventListener("htmx:beforeRequest", function () {
    cookieAtSend = cookieToken();
    var alert = document.getElementById("htmx-alert");
    if (alert) alert.textContent = "";
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    if (retryWithFreshToken(event.detail)) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      return;
    }
    if (xhr.responseText.indexOf("data-error-message") < 0) return;
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var part = doc.querySelector("[data-error-message]");
    if (!part) return;
    event.detail.shouldSwap = false;
    event.detail.isError = false;
    var title = part.querySelector("h1");
    var text = part.querySelector("p");
    showError((title ? title.textContent.trim() + ". " : "") + (text ? text.textContent.trim() : ""));
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    showError("Something went wrong on our side (error " + status + "). Nothing you did was lost.");
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The quiz could not reach the server. Check your connection.");
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

  // Theme buttons: apply at once, remember through the same form in the background.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("theme-form") || !window.fetch) return;
    var button = event.submitter;
    if (!button || !button.value) return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("theme", button.value);
    if (button.value === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = button.value;
    Array.prototype.forEach.call(form.querySelectorAll("button[name=theme]"), function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    window.fetch(form.action, { method: "POST", body: data, headers: { "HX-Request": "true" }, credentials: "same-origin" });
  });
})();
