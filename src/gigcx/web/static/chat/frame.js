// The chat inside the GigCX frame: the pre-chat form, then the conversation live both ways
// (server-sent events in, POSTs out). Text is always set as text, never as HTML.
(function () {
  "use strict";
  var body = document.body;
  var key = body.getAttribute("data-key");
  var storageKey = "gigcx-chat:" + key;
  var api = "/api/v1/chat/sessions";
  var chat = null;        // {id, token}
  var shown = 0;          // the highest event id on screen
  var seenSent = 0;
  var source = null;
  var typingSentAt = 0;
  var isShown = true;     // the snippet says when the visitor closes or opens the chat

  function $(id) { return document.getElementById(id); }

  // The page that embeds this frame (only the brand's allowed sites can: CSP frame-ancestors).
  var parentOrigin = location.ancestorOrigins && location.ancestorOrigins.length ?
    location.ancestorOrigins[0] : (document.referrer ? new URL(document.referrer).origin : "");

  // Keep the chat in this frame's storage; browsers that refuse storage to frames of another
  // site get it kept by the snippet on the brand's page, which hands it back as #resume=.
  function remember(value) {
    try {
      if (value) { localStorage.setItem(storageKey, JSON.stringify(value)); }
      else { localStorage.removeItem(storageKey); }
    } catch (e) { /* refused to a frame of another site: the snippet keeps it */ }
    if (parentOrigin && window.parent !== window) {
      window.parent.postMessage(
        { gigcxChat: "session", value: value ? value.id + "." + value.token : "" }, parentOrigin
      );
    }
  }

  function recall() {
    try {
      var stored = JSON.parse(localStorage.getItem(storageKey) || "null");
      if (stored) { return stored; }
    } catch (e) { /* see remember */ }
    var handed = /resume=([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})/.exec(location.hash);
    if (handed) {
      history.replaceState(null, "", location.pathname + location.search);
      return { id: handed[1], token: handed[2] };
    }
    return null;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function detail(payload) {
    if (!payload || !payload.detail) { return body.getAttribute("data-retry"); }
    if (typeof payload.detail === "string") { return payload.detail; }
    return payload.detail.map(function (item) { return item.msg || String(item); }).join(" ");
  }

  function post(path, data, headers) {
    var all = { "Content-Type": "application/json", "X-Visitor-Token": chat.token };
    Object.keys(headers || {}).forEach(function (name) { all[name] = headers[name]; });
    return fetch(api + "/" + chat.id + path, {
      method: "POST", headers: all, body: JSON.stringify(data || {}), credentials: "same-origin"
    });
  }

  function showError(id, text) {
    var el = $(id);
    el.textContent = text || "";
    el.hidden = !text;
  }

  function addMessage(event) {
    if (event.id <= shown) { return; }
    shown = event.id;
    var item = document.createElement("li");
    item.className = "message " + (event.is_own ? "own" : "theirs") + " " + event.author_kind;
    item.setAttribute("data-event-id", String(event.id));
    var who = document.createElement("div");
    who.className = "meta";
    who.textContent = event.author;
    var text = document.createElement("div");
    text.className = "text";
    text.textContent = event.body;
    item.appendChild(who);
    item.appendChild(text);
    $("messages").appendChild(item);
    item.scrollIntoView({ block: "end" });
    if (!event.is_own) { markSeen(); }
  }

  function markSeen() {
    if (!chat || shown <= seenSent || !isShown || document.visibilityState === "hidden") {
      return;
    }
    seenSent = shown;
    post("/seen", { event_id: shown }).catch(function () { seenSent = 0; });
  }

  function applyState(state) {
    $("status").textContent = state.status_text;
    $("typing").textContent = state.expert_typing || "";
    $("bot").hidden = !state.is_bot_answer_pending;
    var offline = state.is_offline && !state.continue_by_email;
    $("offline").hidden = !offline;
    $("offline-text").textContent = state.offline_text || "";
    $("emailing").hidden = !state.continue_by_email;
    $("reply-form").hidden = !state.can_reply;
    $("closed").hidden = state.can_reply;
  }

  function connect() {
    if (source) { source.close(); }
    var url = api + "/" + chat.id + "/events?token=" + encodeURIComponent(chat.token) +
      "&after=" + shown;
    source = new EventSource(url);
    source.addEventListener("message", function (e) { addMessage(JSON.parse(e.data)); });
    source.addEventListener("state", function (e) { applyState(JSON.parse(e.data)); });
    source.addEventListener("error", function () {
      // Closed, not reconnecting: the server refused the chat (gone, or not this visitor's).
      if (source.readyState === EventSource.CLOSED) { forget(); }
    });
  }

  function showChat() {
    $("prechat").hidden = true;
    $("chat").hidden = false;
    connect();
    $("reply").focus();
  }

  function forget() {
    if (source) { source.close(); }
    remember(null);
    chat = null;
    shown = seenSent = 0;
    $("messages").textContent = "";
    $("chat").hidden = true;
    $("prechat").hidden = false;
  }

  $("prechat-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    var data = {
      key: key,
      email: form.email.value.trim(),
      body: form.body.value.trim(),
      language: navigator.language || ""
    };
    if (form.name) { data.name = form.name.value.trim(); }
    if (form.topic) { data.topic = form.topic.value; }
    showError("prechat-error", "");
    fetch(api, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data), credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (payload) {
        if (!response.ok) { showError("prechat-error", detail(payload)); return; }
        chat = { id: payload.session_id, token: payload.visitor_token };
        remember(chat);
        payload.events.forEach(function (event) {
          addMessage(Object.assign({ id: event.id, kind: event.kind }, event.data));
        });
        showChat();
      });
    }).catch(function () { showError("prechat-error", body.getAttribute("data-retry")); });
  });

  function send(text, idempotencyKey, attempt) {
    return post("/messages", { body: text }, { "Idempotency-Key": idempotencyKey })
      .then(function (response) {
        return response.json().then(function (payload) {
          if (!response.ok) { throw new Error(detail(payload)); }
          addMessage(Object.assign({ id: payload.id }, payload.data));
        });
      }, function () {
        // The network failed: try again with the same key, so the message is added once.
        if (attempt < 3) { return send(text, idempotencyKey, attempt + 1); }
        throw new Error(body.getAttribute("data-retry"));
      });
  }

  $("reply-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var box = $("reply");
    var text = box.value.trim();
    if (!text) { return; }
    showError("reply-error", "");
    send(text, newKey(), 1).then(function () { box.value = ""; box.focus(); })
      .catch(function (error) { showError("reply-error", error.message); });
  });

  $("reply").addEventListener("input", function () {
    var now = Date.now();
    if (chat && now - typingSentAt > 5000) {
      typingSentAt = now;
      post("/typing").catch(function () { typingSentAt = 0; });
    }
  });

  $("bot-helped").addEventListener("click", function () { post("/bot-answer", { helped: true }); });
  $("bot-didnt-help").addEventListener("click", function () {
    post("/bot-answer", { helped: false });
  });
  $("email-me").addEventListener("click", function () { post("/email"); });
  $("new-chat").addEventListener("click", forget);
  $("close").addEventListener("click", function () {
    window.parent.postMessage({ gigcxChat: "close" }, "*");
  });
  document.addEventListener("visibilitychange", markSeen);
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin || !event.data) { return; }
    if (event.data.gigcxChat === "hidden") { isShown = false; }
    if (event.data.gigcxChat === "shown") { isShown = true; markSeen(); }
  });

  chat = recall();
  if (chat && chat.id && chat.token) { showChat(); }
})();
