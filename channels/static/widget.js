/*
 * Web widget of the administrative-procedure assistant.
 *
 * Embed with one tag:  <script src="https://HOST/widget.js" defer></script>
 * Optional attributes on that tag:
 *   data-api="https://HOST"        where POST /api/chat lives (default: the script's own origin)
 *   data-open="true"               show the conversation panel at once (kiosks, the demo page)
 *   data-ask="câu hỏi"             ask this question once when the page opens (deep links)
 *   data-procedure="1.001193"      ask about this procedure once when the page opens (QR codes)
 *
 * The conversation id comes from the server (POST /api/chat/session, signed by it) and is kept in
 * localStorage; an id the server refuses (401) is replaced by a new one and the message sent again.
 * The widget lives in a Shadow DOM so the host page's CSS cannot break it and its CSS cannot leak out.
 * Bot text is always inserted as text nodes; only http(s) URLs become links.
 */
(function () {
  "use strict";

  // Every sentence the citizen sees, in one place.
  var TEXTS = {
    title: "Trợ lý thủ tục hành chính",
    subtitle: "Hỏi giấy tờ, lệ phí, thời gian, nơi nộp",
    launcher: "Hỏi trợ lý",
    launcherLabel: "Mở trợ lý thủ tục hành chính",
    close: "Đóng",
    closeLabel: "Đóng cửa sổ trò chuyện",
    restart: "Bắt đầu lại",
    restartLabel: "Xoá cuộc trò chuyện và bắt đầu lại",
    restartConfirm: "Xoá toàn bộ cuộc trò chuyện trên máy này và bắt đầu lại?",
    dialogLabel: "Trò chuyện với trợ lý thủ tục hành chính",
    logLabel: "Các tin nhắn",
    inputLabel: "Nhập câu hỏi của bạn",
    inputPlaceholder: "Gõ câu hỏi tại đây",
    send: "Gửi",
    sendLabel: "Gửi câu hỏi",
    micStart: "Nói câu hỏi (bấm để bắt đầu nói)",
    micStop: "Dừng nghe",
    micListening: "Đang nghe… hãy nói câu hỏi của bạn.",
    micDenied: "Trình duyệt chưa cho phép dùng micro. Bạn có thể gõ câu hỏi.",
    micFailed: "Không nghe rõ. Bạn vui lòng nói lại hoặc gõ câu hỏi.",
    readAloud: "Đọc to",
    readAloudLabel: "Đọc to tin nhắn này",
    stopReading: "Dừng đọc",
    you: "Bạn",
    bot: "Trợ lý",
    clerk: "Cán bộ",
    botSays: "Trợ lý trả lời: ",
    typing: "Trợ lý đang trả lời…",
    pending: "Đang chờ gửi",
    offline: "Mất kết nối — sẽ gửi lại khi có mạng",
    retryNow: "Thử gửi lại ngay",
    rejected: "Tin nhắn này không gửi được. Bạn vui lòng viết ngắn gọn hơn hoặc hỏi lại theo cách khác.",
    serverError: "Hệ thống đang bận. Tin nhắn của bạn sẽ được gửi lại sau ít phút.",
    welcome: "Xin chào! Tôi giúp bạn tìm hiểu thủ tục hành chính: cần giấy tờ gì, nộp ở đâu, " +
      "lệ phí bao nhiêu, mất bao lâu. Hãy gõ câu hỏi hoặc chọn một gợi ý dưới đây.\n" +
      "Bạn không cần nhập số CCCD, số điện thoại hay thông tin cá nhân.",
    suggestions: ["Làm giấy khai sinh cần giấy tờ gì?", "Đăng ký kết hôn", "Chứng thực bản sao"],
    askProcedure: "Hỏi về thủ tục mã số ",
    image: "Xem hình ảnh",
    linkNewTab: " (mở trong thẻ mới)"
  };

  var HOST_ID = "tthc-assistant-widget";
  var STORAGE_VERSION = 1;
  var MAX_HISTORY = 120;
  var MAX_TEXT = 2000;
  var REQUEST_TIMEOUT_MS = 20000;
  var ATTEMPTS_PER_ROUND = 3;
  var FIRST_BACKOFF_MS = 1000;
  var MAX_BACKOFF_MS = 60000;
  var LIMITED_WAIT_MS = 60000;
  var MAX_LIMITED_WAIT_MS = 15 * 60000;
  var PROCEDURE_CODE = /^[0-9]{1,3}\.[0-9]{6}$/;
  var URL_PATTERN = /https?:\/\/[^\s<>"'()]+/g;
  var SMALL_SCREEN = "(max-width: 520px)";
  var CLERK_POLL_MS = 4000;

  if (document.getElementById(HOST_ID)) {
    return;
  }

  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  var options = readOptions(script);

  function readOptions(tag) {
    var attr = function (name) {
      return tag && tag.getAttribute(name) ? tag.getAttribute(name).trim() : "";
    };
    var origin = window.location.origin;
    if (tag && tag.src) {
      origin = new URL(tag.src, window.location.href).origin;
    }
    var procedure = attr("data-procedure");
    return {
      api: (attr("data-api") || origin).replace(/\/+$/, ""),
      open: attr("data-open") === "true",
      ask: attr("data-ask").slice(0, MAX_TEXT),
      procedure: PROCEDURE_CODE.test(procedure) ? procedure : ""
    };
  }

  // ---------------------------------------------------------------- storage

  var storageKey = "tthc-widget:" + options.api;
  var memoryStore = {};

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (err) {
      return Object.prototype.hasOwnProperty.call(memoryStore, key) ? memoryStore[key] : null;
    }
  }

  function storageSet(key, value) {
    memoryStore[key] = value;
    try {
      window.localStorage.setItem(key, value);
    } catch (err) {
      // Private browsing or a full quota: the conversation still works, it just will not survive a reload.
    }
  }

  // The server issues the conversation id (POST /api/chat/session) and signs it; "" until it has.
  var SIGNED_ID = /^web-[0-9a-f]{24}\.[0-9a-f]{32}$/;

  function freshState() {
    return { v: STORAGE_VERSION, senderId: "", history: [], queue: [], open: false, seq: 0 };
  }

  function loadState() {
    try {
      var saved = JSON.parse(storageGet(storageKey) || "null");
      if (saved && saved.v === STORAGE_VERSION && typeof saved.senderId === "string" &&
          Array.isArray(saved.history) && Array.isArray(saved.queue)) {
        if (!SIGNED_ID.test(saved.senderId)) {
          // An id this browser made up itself (older widget): the server gives a new one on the next message.
          saved.senderId = "";
        }
        return saved;
      }
    } catch (err) {
      // A damaged entry is replaced by a fresh conversation.
    }
    return freshState();
  }

  var state = loadState();

  function saveState() {
    if (state.history.length > MAX_HISTORY) {
      state.history = state.history.slice(-MAX_HISTORY);
    }
    storageSet(storageKey, JSON.stringify(state));
  }

  // ---------------------------------------------------------------- DOM

  var CSS = [
    ":host{all:initial;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;",
    "font-size:18px;line-height:1.5;color:#1a1a1a}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;",
    "clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    "button,input{font:inherit;color:inherit}",
    "button{cursor:pointer;min-height:44px;border-radius:10px}",
    ":focus-visible{outline:3px solid #ffbf47;outline-offset:2px}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;",
    "gap:8px;padding:12px 20px;border:0;border-radius:999px;background:#b3261e;color:#fff;",
    "font-size:20px;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.3)}",
    ".launcher svg{width:26px;height:26px;fill:currentColor}",
    ".panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;display:flex;flex-direction:column;",
    "width:420px;height:min(680px,calc(100vh - 40px));background:#fff;border-radius:14px;",
    "box-shadow:0 8px 30px rgba(0,0,0,.35);overflow:hidden}",
    "@media " + SMALL_SCREEN + "{.panel{inset:0;width:100%;height:100%;border-radius:0}",
    ".launcher{right:12px;bottom:12px}}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#b3261e;color:#fff}",
    "header .t{flex:1;min-width:0}",
    "header h2{margin:0;font-size:20px;line-height:1.3}",
    "header p{margin:0;font-size:18px;opacity:.95}",
    "header button{background:transparent;border:2px solid rgba(255,255,255,.8);color:#fff;",
    "padding:4px 10px;font-size:18px}",
    ".offline{margin:0;padding:10px 14px;background:#fff4ce;color:#5c3c00;font-weight:600;",
    "border-bottom:1px solid #e6c200;display:flex;flex-wrap:wrap;gap:8px;align-items:center}",
    ".offline button{background:#fff;border:2px solid #5c3c00;padding:2px 12px;font-size:18px}",
    ".log{flex:1;overflow-y:auto;padding:14px;background:#f6f6f6;overscroll-behavior:contain}",
    ".msg{display:flex;flex-direction:column;margin:0 0 12px}",
    ".msg.user{align-items:flex-end}",
    ".bubble{max-width:88%;padding:10px 14px;border-radius:14px;white-space:pre-wrap;",
    "overflow-wrap:anywhere;font-size:18px}",
    ".bot .bubble{background:#fff;border:1px solid #ddd;border-top-left-radius:4px}",
    ".user .bubble{background:#1d4f91;color:#fff;border-top-right-radius:4px}",
    ".bubble a{color:inherit;text-decoration:underline}",
    ".meta{font-size:18px;color:#555;margin-top:2px}",
    ".pending .bubble{opacity:.75;border:2px dashed #1d4f91;background:#e8eef7;color:#1a1a1a}",
    ".tools{display:flex;gap:6px;margin-top:4px}",
    ".tools button{min-height:36px;padding:2px 10px;font-size:18px;background:#fff;border:1px solid #999}",
    ".tools button[aria-pressed=true]{background:#1d4f91;color:#fff}",
    ".buttons{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px;max-width:100%}",
    ".buttons button{background:#fff;color:#1d4f91;border:2px solid #1d4f91;padding:6px 14px;",
    "font-size:18px;text-align:left}",
    ".buttons button:hover{background:#e8eef7}",
    ".typing{font-style:italic;color:#444;padding:0 14px 8px;background:#f6f6f6;margin:0}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #ddd;background:#fff}",
    "form input{flex:1;min-width:0;min-height:48px;padding:8px 12px;border:2px solid #767676;",
    "border-radius:10px;font-size:18px}",
    "form button{border:0;padding:0 16px;font-weight:600}",
    ".send{background:#1d4f91;color:#fff}",
    ".mic{background:#eee;border:2px solid #767676!important;padding:0 10px!important}",
    ".mic[aria-pressed=true]{background:#b3261e;color:#fff}",
    ".mic svg{width:24px;height:24px;fill:currentColor;vertical-align:middle}",
    "header .restart{display:flex;align-items:center;gap:4px}",
    "header svg{width:22px;height:22px;fill:currentColor}",
    "@media " + SMALL_SCREEN + "{header p,header .restart .label{display:none}header button{padding:2px 8px}",
    ".bubble{max-width:96%}}"
  ].join("");

  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  var ICON_RESTART = "M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.75 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 " +
    "4.22 1.78L13 11h7V4l-2.35 2.35z";
  var ICON_MIC = "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 " +
    "6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") {
        node.textContent = attrs[name];
      } else {
        node.setAttribute(name, attrs[name]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    return svg;
  }

  var host = el("div", { id: HOST_ID });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("style", { text: CSS }));

  var launcher = el("button", {
    type: "button", "class": "launcher", "aria-label": TEXTS.launcherLabel,
    "aria-expanded": "false", "aria-controls": "tthc-panel"
  }, [icon(ICON_CHAT), el("span", { text: TEXTS.launcher })]);

  var closeButton = el("button", { type: "button", "aria-label": TEXTS.closeLabel, text: TEXTS.close });
  var restartButton = el("button", { type: "button", "class": "restart", "aria-label": TEXTS.restartLabel,
    title: TEXTS.restartLabel }, [icon(ICON_RESTART), el("span", { "class": "label", text: TEXTS.restart })]);
  var offlineRetry = el("button", { type: "button", text: TEXTS.retryNow });
  var offlineBar = el("div", { "class": "offline", role: "status" },
    [el("span", { text: TEXTS.offline }), offlineRetry]);
  offlineBar.hidden = true;
  var log = el("div", {
    "class": "log", role: "log", "aria-live": "off", "aria-label": TEXTS.logLabel, tabindex: "0"
  });
  var typing = el("p", { "class": "typing", text: TEXTS.typing });
  typing.hidden = true;
  var announcer = el("div", { "class": "sr", "aria-live": "polite", "aria-atomic": "false" });
  var input = el("input", {
    type: "text", id: "tthc-input", name: "q", autocomplete: "off", enterkeyhint: "send",
    maxlength: String(MAX_TEXT), placeholder: TEXTS.inputPlaceholder, "aria-label": TEXTS.inputLabel,
    lang: "vi"
  });
  var micButton = el("button", {
    type: "button", "class": "mic", "aria-label": TEXTS.micStart, "aria-pressed": "false", title: TEXTS.micStart
  }, [icon(ICON_MIC)]);
  micButton.hidden = true;
  var sendButton = el("button", { type: "submit", "class": "send", "aria-label": TEXTS.sendLabel, text: TEXTS.send });
  var form = el("form", { "aria-label": TEXTS.inputLabel }, [input, micButton, sendButton]);
  var panel = el("div", {
    id: "tthc-panel", "class": "panel", role: "dialog", "aria-label": TEXTS.dialogLabel, lang: "vi"
  }, [
    el("header", {}, [
      el("div", { "class": "t" }, [el("h2", { text: TEXTS.title }), el("p", { text: TEXTS.subtitle })]),
      restartButton, closeButton
    ]),
    offlineBar, log, typing, form, announcer
  ]);
  panel.hidden = true;
  root.appendChild(launcher);
  root.appendChild(panel);

  // ---------------------------------------------------------------- rendering

  function appendLinkedText(parent, text) {
    var last = 0;
    String(text).replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url });
      link.appendChild(el("span", { "class": "sr", text: TEXTS.linkNewTab }));
      parent.appendChild(link);
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function isWebUrl(value) {
    try {
      var url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch (err) {
      return false;
    }
  }

  function renderEntry(entry) {
    var isUser = entry.role === "user";
    var pending = isUser && state.queue.some(function (q) { return q.id === entry.id; });
    var item = el("div", { "class": "msg " + (isUser ? "user" : "bot") + (pending ? " pending" : "") });
    item.setAttribute("data-id", String(entry.id));
    var bubble = el("div", { "class": "bubble" });
    var who = isUser ? TEXTS.you : (entry.role === "clerk" ? TEXTS.clerk : TEXTS.bot);
    bubble.appendChild(el("span", { "class": "sr", text: who + ": " }));
    if (isUser) {
      bubble.appendChild(document.createTextNode(entry.text));
    } else {
      appendLinkedText(bubble, entry.text || "");
    }
    if (!isUser && entry.image && isWebUrl(entry.image)) {
      bubble.appendChild(document.createTextNode("\n"));
      bubble.appendChild(el("a", { href: entry.image, target: "_blank", rel: "noopener noreferrer",
        text: TEXTS.image }));
    }
    item.appendChild(bubble);
    if (pending) {
      item.appendChild(el("span", { "class": "meta", text: TEXTS.pending }));
    }
    if (!isUser && entry.text && speech.supported) {
      item.appendChild(el("div", { "class": "tools" }, [speech.button(entry.text)]));
    }
    if (!isUser && entry.buttons && entry.buttons.length) {
      var group = el("div", { "class": "buttons", role: "group" });
      entry.buttons.forEach(function (b) {
        var choice = el("button", { type: "button", text: b.title });
        choice.addEventListener("click", function () {
          submit(b.payload, b.title);
        });
        group.appendChild(choice);
      });
      item.appendChild(group);
    }
    return item;
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(renderEntry({
      id: 0, role: "bot", text: TEXTS.welcome,
      buttons: TEXTS.suggestions.map(function (s) { return { title: s, payload: s }; })
    }));
    state.history.forEach(function (entry) {
      log.appendChild(renderEntry(entry));
    });
    scrollToEnd();
  }

  function addEntry(entry, announce) {
    state.seq += 1;
    entry.id = state.seq;
    state.history.push(entry);
    saveState();
    log.appendChild(renderEntry(entry));
    scrollToEnd();
    if (announce && entry.text) {
      announcer.appendChild(el("p", { text: TEXTS.botSays + entry.text }));
      while (announcer.childNodes.length > 5) {
        announcer.removeChild(announcer.firstChild);
      }
    }
    return entry;
  }

  function markSent(id) {
    var item = log.querySelector("[data-id='" + id + "']");
    if (item) {
      item.classList.remove("pending");
      var meta = item.querySelector(".meta");
      if (meta) {
        item.removeChild(meta);
      }
    }
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // A long answer is read from its first line, so a reply is scrolled to its start, not its end.
  function scrollToEntry(id) {
    var item = log.querySelector("[data-id='" + id + "']");
    if (item) {
      log.scrollTop += item.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    }
  }

  // ---------------------------------------------------------------- speech

  var speech = (function () {
    var synth = window.speechSynthesis;
    var supported = !!(synth && window.SpeechSynthesisUtterance);
    var current = null;

    function vietnameseVoice() {
      var voices = synth.getVoices() || [];
      return voices.filter(function (v) { return /^vi([-_]|$)/i.test(v.lang); })[0] || null;
    }

    function stop() {
      if (supported) {
        synth.cancel();
      }
      if (current) {
        current.setAttribute("aria-pressed", "false");
        current.textContent = TEXTS.readAloud;
        current = null;
      }
    }

    function button(text) {
      var b = el("button", { type: "button", "aria-pressed": "false", "aria-label": TEXTS.readAloudLabel,
        text: TEXTS.readAloud });
      b.addEventListener("click", function () {
        var wasThis = current === b;
        stop();
        if (wasThis) {
          return;
        }
        var utterance = new window.SpeechSynthesisUtterance(text);
        utterance.lang = "vi-VN";
        var voice = vietnameseVoice();
        if (voice) {
          utterance.voice = voice;
        }
        utterance.onend = utterance.onerror = function () {
          if (current === b) {
            stop();
          }
        };
        current = b;
        b.setAttribute("aria-pressed", "true");
        b.textContent = TEXTS.stopReading;
        synth.speak(utterance);
      });
      return b;
    }

    return { supported: supported, button: button, stop: stop };
  })();

  var listening = (function () {
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    var active = null;
    if (!Recognition) {
      return { stop: function () {} };
    }
    micButton.hidden = false;

    function setPressed(on) {
      micButton.setAttribute("aria-pressed", on ? "true" : "false");
      micButton.setAttribute("aria-label", on ? TEXTS.micStop : TEXTS.micStart);
      micButton.title = on ? TEXTS.micStop : TEXTS.micStart;
    }

    function stop() {
      if (active) {
        active.stop();
      }
    }

    micButton.addEventListener("click", function () {
      if (active) {
        stop();
        return;
      }
      var recognition = new Recognition();
      recognition.lang = "vi-VN";
      recognition.interimResults = true;
      recognition.maxAlternatives = 1;
      recognition.onresult = function (event) {
        var text = "";
        for (var i = 0; i < event.results.length; i++) {
          text += event.results[i][0].transcript;
        }
        input.value = text.slice(0, MAX_TEXT);
      };
      recognition.onerror = function (event) {
        var denied = event.error === "not-allowed" || event.error === "service-not-allowed";
        announce(denied ? TEXTS.micDenied : TEXTS.micFailed);
      };
      recognition.onend = function () {
        active = null;
        setPressed(false);
        input.focus();
      };
      try {
        recognition.start();
        active = recognition;
        setPressed(true);
        announce(TEXTS.micListening);
      } catch (err) {
        announce(TEXTS.micFailed);
      }
    });
    return { stop: stop };
  })();

  function announce(text) {
    announcer.appendChild(el("p", { text: text }));
  }

  // ---------------------------------------------------------------- network

  var busy = false;
  var retryTimer = null;
  var failedRounds = 0;
  var limitedNoticeShown = false;  // the "too many messages" notice is shown once per wait

  function setOffline(on) {
    if (on && offlineBar.hidden) {
      announce(TEXTS.offline);
    }
    offlineBar.hidden = !on;
    host.setAttribute("data-offline", on ? "true" : "false");
  }

  function setTyping(on) {
    typing.hidden = !on;
    host.setAttribute("aria-busy", on ? "true" : "false");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function backoff(base, attempt) {
    var ms = Math.min(MAX_BACKOFF_MS, base * Math.pow(2, attempt));
    return ms / 2 + Math.random() * ms / 2;
  }

  // Resolves to the conversation's signed id, asking the server for one first if needed; "" when it could not.
  function ensureSession() {
    if (state.senderId) {
      return Promise.resolve(state.senderId);
    }
    var conversation = state;
    return fetch(options.api + "/api/chat/session", { method: "POST", credentials: "omit" })
      .then(function (response) {
        return response.status === 201 ? response.json() : null;
      }).then(function (body) {
        var id = body && typeof body.sender_id === "string" && SIGNED_ID.test(body.sender_id) ? body.sender_id : "";
        if (id && state === conversation && !state.senderId) {
          state.senderId = id;
          saveState();
        }
        return state === conversation ? state.senderId : "";
      }, function () {
        return "";
      });
  }

  // Resolves to {kind: "ok"|"reject"|"retry"|"limited", messages, waitMs}; never rejects.
  function postOnce(text) {
    return ensureSession().then(function (senderId) {
      return senderId ? postWithId(senderId, text) : { kind: "retry", messages: [] };
    });
  }

  function postWithId(senderId, text) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, REQUEST_TIMEOUT_MS);
    return fetch(options.api + "/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: senderId, text: text }),
      signal: controller ? controller.signal : undefined,
      credentials: "omit"
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        var messages = body && Array.isArray(body.messages) ? body.messages : null;
        if (response.ok && messages) {
          return { kind: "ok", messages: messages };
        }
        if (response.status === 401) {
          // The server no longer knows this id (its secret changed): continue under a new one.
          if (state.senderId === senderId) {
            state.senderId = "";
            saveState();
          }
          return { kind: "retry", messages: [] };
        }
        if (response.status === 503 && messages && messages.length) {
          return { kind: "ok", messages: messages };
        }
        if (response.status === 429) {
          // Too many messages from here: say so (the server's words when it sent any) and wait as told,
          // instead of retrying at once and looking like a lost connection.
          var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
          var waitMs = isNaN(seconds) ? LIMITED_WAIT_MS :
            Math.max(5000, Math.min(seconds * 1000, MAX_LIMITED_WAIT_MS));
          return { kind: "limited", messages: messages || [], waitMs: waitMs };
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 408) {
          return { kind: "reject", messages: [] };
        }
        return { kind: "retry", messages: [] };
      });
    }, function () {
      return { kind: "retry", messages: [] };
    }).then(function (result) {
      clearTimeout(timer);
      return result;
    });
  }

  function sendWithRetries(text) {
    var attempt = 0;
    function next() {
      return postOnce(text).then(function (result) {
        attempt += 1;
        if (result.kind !== "retry" || attempt >= ATTEMPTS_PER_ROUND || !navigator.onLine) {
          return result;
        }
        return sleep(backoff(FIRST_BACKOFF_MS, attempt - 1)).then(next);
      });
    }
    return next();
  }

  // Adds the server's messages as bot entries (only well-formed fields) and scrolls to the first one.
  function showBotMessages(messages) {
    var first = null;
    messages.forEach(function (m) {
      var buttons = Array.isArray(m.buttons) ? m.buttons.filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      }).map(function (b) { return { title: b.title, payload: b.payload }; }) : [];
      var text = typeof m.text === "string" ? m.text : "";
      var image = typeof m.image === "string" ? m.image : "";
      if (text || buttons.length || image) {
        var added = addEntry({ role: "bot", text: text, buttons: buttons, image: image }, true);
        first = first || added;
      }
    });
    if (first) {
      scrollToEntry(first.id);
    }
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    var delay = backoff(5000, Math.min(failedRounds, 6));
    failedRounds += 1;
    retryTimer = setTimeout(flushQueue, delay);
  }

  function flushQueue() {
    if (busy || !state.queue.length) {
      return;
    }
    clearTimeout(retryTimer);
    if (navigator.onLine === false) {
      // The online event normally wakes the queue; the timer covers browsers that never send it.
      setOffline(true);
      scheduleRetry();
      return;
    }
    busy = true;
    setTyping(true);
    var head = state.queue[0];
    var conversation = state;
    sendWithRetries(head.text).then(function (result) {
      busy = false;
      setTyping(false);
      if (state !== conversation) {
        // "Bắt đầu lại" was pressed while this was on its way: the answer belongs to the old conversation.
        flushQueue();
        return;
      }
      if (result.kind === "retry") {
        setOffline(true);
        scheduleRetry();
        return;
      }
      if (result.kind === "limited") {
        // The message stays queued (shown as waiting) and goes out by itself after the wait.
        setOffline(false);
        if (!limitedNoticeShown) {
          limitedNoticeShown = true;
          showBotMessages(result.messages.length ? result.messages : [{ text: TEXTS.serverError }]);
        }
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flushQueue, result.waitMs);
        return;
      }
      failedRounds = 0;
      limitedNoticeShown = false;
      setOffline(false);
      state.queue.shift();
      saveState();
      markSent(head.id);
      showBotMessages(result.kind === "reject" ? [{ text: TEXTS.rejected }] : result.messages);
      checkClerk();
      flushQueue();
    });
  }

  // ---------------------------------------------------------------- clerk replies

  // While a clerk answers this conversation, their replies are fetched every few seconds.
  var clerkTimer = null;

  function checkClerk() {
    clearTimeout(clerkTimer);
    var sender = state.senderId;
    if (!sender) {
      return;  // no message sent yet: nothing a clerk could have answered
    }
    var after = typeof state.clerkAfter === "number" ? state.clerkAfter : 0;
    // The path names the conversation; the signed id goes in a header, out of access logs.
    var conversationId = sender.split(".")[0];
    fetch(options.api + "/api/chat/" + encodeURIComponent(conversationId) + "/messages?after=" + after, {
      headers: { "X-Chat-Session": sender },
      credentials: "omit"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || state.senderId !== sender || !Array.isArray(body.messages)) {
        return;
      }
      body.messages.forEach(function (m) {
        if (typeof m.id === "number" && m.id > (state.clerkAfter || 0) && typeof m.text === "string") {
          state.clerkAfter = m.id;
          addEntry({ role: "clerk", text: m.text, buttons: [] }, true);
        }
      });
      state.clerkWaiting = body.handover === true;
      saveState();
      if (state.clerkWaiting) {
        clerkTimer = setTimeout(checkClerk, CLERK_POLL_MS);
      }
    }, function () {
      // Offline: try again later only if a clerk was expected; the next sent message checks again anyway.
      if (state.clerkWaiting) {
        clerkTimer = setTimeout(checkClerk, CLERK_POLL_MS * 3);
      }
    });
  }

  function submit(text, label) {
    text = String(text || "").trim().slice(0, MAX_TEXT);
    if (!text) {
      return;
    }
    var entry = addEntry({ role: "user", text: String(label || text).slice(0, MAX_TEXT) }, false);
    state.queue.push({ id: entry.id, text: text });
    saveState();
    markPending(entry.id);
    flushQueue();
  }

  function markPending(id) {
    var item = log.querySelector("[data-id='" + id + "']");
    if (item && !item.classList.contains("pending")) {
      item.classList.add("pending");
      item.appendChild(el("span", { "class": "meta", text: TEXTS.pending }));
    }
  }

  // ---------------------------------------------------------------- behaviour

  function openPanel(focusInput) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    saveState();
    scrollToEnd();
    if (focusInput) {
      input.focus();
    }
  }

  function closePanel() {
    speech.stop();
    listening.stop();
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { openPanel(true); });
  closeButton.addEventListener("click", closePanel);
  restartButton.addEventListener("click", function () {
    if (!window.confirm(TEXTS.restartConfirm)) {
      return;
    }
    speech.stop();
    state = freshState();
    state.open = true;
    saveState();
    setOffline(false);
    renderAll();
    input.focus();
  });
  offlineRetry.addEventListener("click", function () {
    failedRounds = 0;
    flushQueue();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    submit(text);
    input.focus();
  });
  window.addEventListener("online", function () {
    failedRounds = 0;
    setOffline(false);
    flushQueue();
  });
  window.addEventListener("offline", function () {
    if (state.queue.length || busy) {
      setOffline(true);
    }
  });

  function deepLink() {
    var text = "";
    var label = "";
    if (options.procedure) {
      text = "/choose" + JSON.stringify({ procedure_code: options.procedure });
      label = TEXTS.askProcedure + options.procedure;
    } else if (options.ask) {
      text = options.ask;
    }
    if (!text) {
      return;
    }
    // A reload of the same deep link must not ask the same question again.
    var seenKey = storageKey + ":asked";
    var seen = null;
    try {
      seen = window.sessionStorage.getItem(seenKey);
      window.sessionStorage.setItem(seenKey, text);
    } catch (err) {
      seen = null;
    }
    if (seen !== text) {
      openPanel(false);
      submit(text, label);
    }
  }

  function start() {
    document.body.appendChild(host);
    renderAll();
    setOffline(state.queue.length > 0 && navigator.onLine === false);
    if (options.open || state.open) {
      openPanel(false);
    }
    deepLink();
    flushQueue();
    checkClerk();
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
