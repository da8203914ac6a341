// Live monitor: one card per line from /live/events (server-sent events relayed from
// `conduct stream --listen`'s /monitor feed). Text is set with textContent only.
(function () {
  "use strict";
  var cards = {};
  var words = {};

  // the page's language: live.html puts the translated words in #live-state's data-words
  function w(key) { return words[key] || key; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function secs(t) {
    if (t === undefined || t === null) { return "–"; }
    var m = Math.floor(t / 60), s = (t - 60 * m).toFixed(1);
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function card(id, info) {
    if (cards[id]) { return cards[id]; }
    var root = el("section", "live-line");
    root.dataset.call = id;
    var head = el("h2", null, id);
    var meta = el("p", "live-meta");
    var rings = el("span", "live-rings", w("rings") + " 0");
    var state = el("span", "live-status", w("live"));
    var transcript = el("ol", "live-transcript");
    var partials = el("div", "live-partials");
    var findings = el("ul", "live-findings");
    root.append(head, meta, rings, state, el("h3", null, w("transcript")), transcript, partials,
                el("h3", null, w("findings")), findings);
    document.getElementById("live-lines").prepend(root);
    document.getElementById("live-empty").hidden = true;
    cards[id] = {root: root, meta: meta, rings: rings, state: state, transcript: transcript,
                 partials: partials, findings: findings, partial: {}, items: []};
    describe(cards[id], info || {});
    return cards[id];
  }

  function describe(c, info) {
    var parts = [info.channel && w(info.channel), info.hall, info.window && (w("window") + " " + info.window),
                 info.staff && (w("staff") + " " + info.staff)].filter(Boolean);
    if (parts.length) { c.meta.textContent = parts.join(" · "); }
  }

  function partial(c, e) {
    var line = c.partial[e.speaker];
    if (!line) {
      line = el("p", "live-partial");
      line.dataset.speaker = e.speaker;
      c.partial[e.speaker] = line;
      c.partials.append(line);
    }
    line.replaceChildren(el("span", "who", w(e.speaker) + " " + secs(e.start) + " "),
                         el("span", "committed", e.committed), el("span", "tentative", e.tentative));
  }

  function utterance(c, e) {
    var line = c.partial[e.speaker];
    if (line) { line.remove(); delete c.partial[e.speaker]; }
    turn(c, e, false);
  }

  // The second hearing changed a piece's words: its turns told before go, its words now
  // come in at their place, marked as revised (the call's report has these words).
  function revision(c, e) {
    var gone = (e.replaced || []).map(Number);
    Array.prototype.slice.call(c.transcript.children).forEach(function (li) {
      var start = Number(li.dataset.start);
      if (li.dataset.speaker === e.speaker &&
          gone.some(function (t) { return Math.abs(t - start) < 0.0005; })) { li.remove(); }
    });
    (e.utterances || []).forEach(function (u) { turn(c, u, true); });
  }

  function turn(c, e, revised) {
    var li = el("li", "turn " + e.speaker + (revised ? " revised" : ""));
    li.dataset.start = String(e.start);
    li.dataset.speaker = e.speaker;
    if (revised) { li.title = w("revised"); }
    li.append(el("span", "who", w(e.speaker) + " " + secs(e.start) + " "), el("span", "said", e.text));
    // in the order said: a citizen's utterances kept back while the line was behind come
    // after the clerk's later ones, and go in before them
    var later = null;
    for (var k = c.transcript.children.length - 1; k >= 0; k--) {
      var other = c.transcript.children[k];
      if (Number(other.dataset.start) > Number(e.start)) { later = other; } else { break; }
    }
    c.transcript.insertBefore(li, later);
  }

  function finding(c, e) {
    var li = el("li", "live-finding" + (e.provisional ? " provisional" : ""));
    li.dataset.rule = e.rule;
    var link = el("a", "rule", e.rule);
    li.append(link, el("span", "what", " " + (e.canonical || e.evidence || "") + " "),
              el("span", "when", secs(e.start)));
    if (e.evidence) { li.append(el("q", "evidence", e.evidence)); }
    c.findings.append(li);
    c.items.push({link: link, li: li, start: e.start, end: e.end});
    if (c.interaction) { playable(c, c.items[c.items.length - 1]); }
  }

  // Once the call is stored: the finding links to it, and plays its own words from the
  // recording (a little before to a little after, then stops).
  function playable(c, item) {
    item.link.href = "/interactions/" + c.interaction;
    if (item.start === null || item.start === undefined || item.li.querySelector(".play")) {
      return;
    }
    var button = el("button", "play", "▶ " + secs(item.start));
    button.type = "button";
    button.title = w("play these words");
    button.addEventListener("click", function () {
      var audio = c.audio;
      if (!audio) {
        audio = c.audio = el("audio", "live-audio");
        audio.preload = "metadata";
        audio.src = "/audio/" + c.interaction;
        c.root.append(audio);
      }
      var from = Math.max(0, item.start - 0.3);
      var to = (item.end !== null && item.end !== undefined ? item.end : item.start + 3) + 0.3;
      audio.dataset.stopAt = String(to);
      audio.ontimeupdate = function () {
        if (audio.currentTime >= Number(audio.dataset.stopAt)) { audio.pause(); }
      };
      audio.currentTime = from;
      var played = audio.play();
      if (played && played.catch) { played.catch(function () {}); }
      c.root.dataset.playing = item.li.dataset.rule;
    });
    item.li.append(button);
  }

  function stored(c, pk) {
    c.interaction = pk;
    c.items.forEach(function (item) { playable(c, item); });
    var open = el("a", "live-open", w("open interaction"));
    open.href = "/interactions/" + pk;
    c.state.replaceChildren(open);
  }

  function handle(e, source) {
    var status = document.getElementById("live-state");
    if (e.type === "monitor") {
      status.textContent = e.state === "connected" ? w("connected") : (e.message || e.state);
      status.dataset.state = e.state;
      if (e.state === "off") { source.close(); }  // nothing to reconnect to
      return;
    }
    if (e.type === "lines") {
      e.lines.forEach(function (line) {
        var c = card(line.call_id, line);
        line.events.forEach(function (ev) { apply(c, ev); });
      });
      return;
    }
    if (!e.call_id) { return; }
    apply(card(e.call_id, e.type === "line" ? e : null), e);
  }

  function apply(c, e) {
    if (e.type === "ring") { c.rings.textContent = w("rings") + " " + e.n; }
    else if (e.type === "answered") { c.rings.textContent = w("rings") + " " + e.rings + ", " + w("answered") + " " + secs(e.t); }
    else if (e.type === "partial") { partial(c, e); }
    else if (e.type === "utterance") { utterance(c, e); }
    else if (e.type === "revision") { revision(c, e); }
    else if (e.type === "finding") { finding(c, e); }
    else if (e.type === "stored") { stored(c, e.interaction); }
    else if (e.type === "error") { c.root.append(el("p", "live-error", e.message)); }
    else if (e.type === "ended") {
      c.root.classList.add("ended");
      if (e.rings !== null && e.rings !== undefined) {
        c.rings.textContent = w("rings") + " " + e.rings;  // the report's count, as stored
      }
      if (!c.interaction) { c.state.textContent = w("ended"); }
      if (e.score !== null && e.score !== undefined) {
        c.root.append(el("p", "live-score", w("score") + " " + e.score + " (" + e.grade + ")"));
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("live-state");
    if (!status) { return; }
    try { words = JSON.parse(status.dataset.words || "{}"); } catch (err) { words = {}; }
    if (!status.dataset.url) { return; }  // no feed configured: the page says so
    var source = new EventSource("/live/events");
    source.onmessage = function (msg) { handle(JSON.parse(msg.data), source); };
    source.onerror = function () {
      if (status.dataset.state !== "off") {
        status.textContent = w("interrupted");
        status.dataset.state = "reconnecting";
      }
    };
  });
}());
