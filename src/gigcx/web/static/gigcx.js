// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000));
      el.textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "expired";
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);

  // Live regions: an element with data-stream="URL" is replaced by each server-sent "html" event.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-stream]").forEach(function (el) {
      if (!window.EventSource) { return; }
      var source = new EventSource(el.dataset.stream);
      source.addEventListener("html", function (event) { el.innerHTML = event.data; tick(); });
    });
    // A reply box in a chat says "typing" to the customer's widget, at most every 5 seconds.
    document.querySelectorAll("form[data-typing]").forEach(function (form) {
      var sentAt = 0;
      form.addEventListener("input", function () {
        if (Date.now() - sentAt < 5000) { return; }
        sentAt = Date.now();
        var data = new URLSearchParams();
        data.set("csrf_token", form.querySelector("[name=csrf_token]").value);
        fetch(form.dataset.typing, { method: "POST", body: data, credentials: "same-origin" });
      });
    });
  });
})();
