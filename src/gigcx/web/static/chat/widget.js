// GigCX chat widget: paste
//   <script src="https://YOUR-GIGCX/widget.js" data-brand="PUBLIC-KEY" async></script>
// It adds a launcher button; the chat runs in a sandboxed frame served by GigCX, so this page
// and GigCX share no cookies and no DOM. Nothing else is loaded.
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[data-brand][src*='widget.js']");
  if (!script || window.__gigcxChat) { return; }
  window.__gigcxChat = true;
  var key = script.getAttribute("data-brand") || "";
  var origin = new URL(script.src, window.location.href).origin;
  var language = navigator.language || "";
  var query = "key=" + encodeURIComponent(key) + "&lang=" + encodeURIComponent(language);
  var storageKey = "gigcx-chat:" + key;
  var frame = null;
  var button = null;

  function style(el, rules) {
    Object.keys(rules).forEach(function (name) { el.style[name] = rules[name]; });
  }

  // The chat to resume, for browsers that refuse the frame its own storage (see frame.js).
  function saved() {
    try { return localStorage.getItem(storageKey) || ""; } catch (e) { return ""; }
  }

  function keep(value) {
    try {
      if (value) { localStorage.setItem(storageKey, value); } else { localStorage.removeItem(storageKey); }
    } catch (e) { /* no storage: the chat lasts as long as this page */ }
  }

  // Whether the visitor can see the chat: only then does it mark answers "seen".
  function tell(what) {
    if (frame && frame.contentWindow) { frame.contentWindow.postMessage({ gigcxChat: what }, origin); }
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      var resume = saved();
      frame.src = origin + "/chat/frame?" + query + (resume ? "#resume=" + resume : "");
      frame.title = button.getAttribute("data-title");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups");
      frame.setAttribute("allow", "clipboard-write");
      frame.setAttribute("data-gigcx-chat", "frame");
      style(frame, {
        position: "fixed", right: "16px", bottom: "80px", width: "min(380px, calc(100vw - 32px))",
        height: "min(560px, calc(100vh - 104px))", border: "1px solid #c8ccd2",
        borderRadius: "12px", background: "#fff", zIndex: "2147483646",
        boxShadow: "0 8px 24px rgba(0,0,0,.18)"
      });
      document.body.appendChild(frame);
    }
    frame.style.display = "block";
    button.setAttribute("aria-expanded", "true");
    tell("shown");
  }

  function close() {
    if (frame) { frame.style.display = "none"; tell("hidden"); }
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function launch(words) {
    button = document.createElement("button");
    button.type = "button";
    button.textContent = words.launcher;
    button.setAttribute("data-title", words.title);
    button.setAttribute("data-gigcx-chat", "launcher");
    button.setAttribute("aria-expanded", "false");
    style(button, {
      position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483647",
      padding: "12px 18px", borderRadius: "24px", border: "0", background: "#1f5fbf",
      color: "#fff", font: "600 15px/1.2 system-ui, sans-serif", cursor: "pointer",
      boxShadow: "0 4px 12px rgba(0,0,0,.2)"
    });
    button.addEventListener("click", function () {
      if (frame && frame.style.display !== "none") { close(); } else { open(); }
    });
    document.body.appendChild(button);
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || !event.data) { return; }
      if (event.data.gigcxChat === "close") { close(); }
      if (event.data.gigcxChat === "session" && typeof event.data.value === "string") {
        keep(event.data.value);
      }
    });
  }

  function start() {
    fetch(origin + "/api/v1/chat/widget?" + query, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (words) { if (words) { launch(words); } })
      .catch(function () { /* the widget is off or this site is not allowed: no launcher */ });
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
