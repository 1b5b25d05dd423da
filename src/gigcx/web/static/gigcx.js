// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000));
      el.textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "expired";
    });
    // Waiting times: whole minutes since data-since (the server renders the time it began, so
    // the live queue need not render again as the minutes pass).
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var minutes = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.since)) / 60000));
      el.textContent = minutes + " min";
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);

  // Bars sized from data-percent: set through the DOM, since the CSP allows no inline style.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".bar[data-percent]").forEach(function (el) {
      el.style.width = Math.min(100, Math.max(0, Number(el.dataset.percent) || 0)) + "%";
    });
  });

  // Live regions: an element with data-stream="URL" is replaced by each server-sent "html" event.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-stream]").forEach(function (el) {
      if (!window.EventSource) { return; }
      var source = new EventSource(el.dataset.stream);
      source.addEventListener("html", function (event) {
        el.innerHTML = event.data;
        tick();
        el.dispatchEvent(new CustomEvent("gigcx:updated"));
      });
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
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

  // Offer alerts, as the expert chose on their profile: the number of pending offers in the
  // tab's title, and for each new offer a browser notification and a short synthesised sound.
  // The browser is asked for permission only when the expert presses the button.
  document.addEventListener("DOMContentLoaded", function () {
    var feed = document.getElementById("offers");
    var prefs = document.getElementById("offer-alerts");
    if (!feed || !prefs) { return; }
    var wantsNotice = prefs.dataset.browser === "on";
    var wantsSound = prefs.dataset.sound === "on";
    var baseTitle = document.title;
    var audio = null;

    function offerIds() {
      return Array.prototype.map.call(feed.querySelectorAll("article.offer h3[id]"), function (h) { return h.id; });
    }
    function showCount(count) {
      if (!wantsNotice) { return; }
      document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    }
    function hasNotifications() { return "Notification" in window; }
    function showPermission() {
      var ask = document.getElementById("notify-ask");
      var denied = document.getElementById("notify-denied");
      if (!wantsNotice || !hasNotifications()) { return; }
      if (ask) { ask.hidden = Notification.permission !== "default"; }
      if (denied) { denied.hidden = Notification.permission !== "denied"; }
    }
    // Browsers let a page play sound only after a click or key press on it.
    function unlockAudio() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!wantsSound || !Context) { return; }
      if (!audio) { audio = new Context(); }
      if (audio.state === "suspended") { audio.resume(); }
    }
    function beep() {
      if (!audio) { return; }
      [880, 660].forEach(function (pitch, n) {
        var start = audio.currentTime + n * 0.18;
        var tone = audio.createOscillator();
        var volume = audio.createGain();
        tone.frequency.value = pitch;
        volume.gain.setValueAtTime(0.0001, start);
        volume.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
        tone.connect(volume).connect(audio.destination);
        tone.start(start);
        tone.stop(start + 0.17);
      });
    }
    function notify(id) {
      if (!wantsNotice || !hasNotifications() || Notification.permission !== "granted") { return; }
      var heading = document.getElementById(id);
      var card = heading ? heading.closest("article") : null;
      var where = card ? card.querySelector("p.muted") : null;
      var pay = card ? card.querySelector("strong") : null;
      var body = [where ? where.textContent.trim() : "", pay ? pay.textContent.trim() : ""].join("\n").trim();
      var shown = new Notification("New offer on GigCX", { body: body, tag: id });
      shown.onclick = function () { window.focus(); if (heading) { heading.scrollIntoView(); } shown.close(); };
    }

    var allow = document.getElementById("notify-allow");
    if (allow) {
      allow.addEventListener("click", function () {
        unlockAudio();
        if (hasNotifications()) { Promise.resolve(Notification.requestPermission()).then(showPermission); }
      });
    }
    document.addEventListener("click", unlockAudio);
    document.addEventListener("keydown", unlockAudio);
    showPermission();

    var seen = offerIds();
    showCount(seen.length);
    feed.addEventListener("gigcx:updated", function () {
      var ids = offerIds();
      var fresh = ids.filter(function (id) { return seen.indexOf(id) < 0; });
      seen = ids;
      showCount(ids.length);
      if (!fresh.length) { return; }
      if (wantsSound) { beep(); }
      fresh.forEach(notify);
    });
  });
})();
