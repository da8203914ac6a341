// Review app: play the recording from a finding or a transcript turn, and
// follow the playback in the transcript. No framework, no network calls.
(function () {
  "use strict";
  function seek(audio, t) {
    var go = function () {
      audio.currentTime = t;
      var p = audio.play();
      if (p && p.catch) { p.catch(function () { /* autoplay refused: position still set */ }); }
    };
    if (audio.readyState >= 1) { go(); } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      audio.load();
    }
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".seek");
    if (!btn) { return; }
    var audio = document.getElementById("player");
    if (!audio) { return; }
    ev.preventDefault();
    seek(audio, parseFloat(btn.dataset.start) || 0);
    document.querySelectorAll(".finding.current").forEach(function (el) { el.classList.remove("current"); });
    var card = btn.closest(".finding");
    if (card) { card.classList.add("current"); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var audio = document.getElementById("player");
    if (!audio) { return; }
    var turns = Array.prototype.slice.call(document.querySelectorAll(".turn"));
    // a search result links here with ?t=SECONDS: the player starts at that second
    var at = parseFloat(new URLSearchParams(window.location.search).get("t"));
    if (!isNaN(at) && at >= 0) {
      var start = function () { audio.currentTime = at; };
      if (audio.readyState >= 1) { start(); } else {
        audio.addEventListener("loadedmetadata", start, { once: true });
      }
    }
    audio.addEventListener("timeupdate", function () {
      var t = audio.currentTime;
      turns.forEach(function (el) {
        var on = t >= parseFloat(el.dataset.start) && t < parseFloat(el.dataset.end);
        el.classList.toggle("playing", on);
      });
    });
  });
})();
