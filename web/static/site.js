// Progressive enhancement only: the page works without this file.
// 1. A term's explanation (a <details> in the transcript) also opens on keyboard focus,
//    and closes again when focus moves on, unless the resident opened it on purpose.
// 2. Transcript timestamps seek the player in place instead of reloading the page.
// 3. The transcript follows the video: the current line is marked and kept in view
//    inside the transcript's own box (the player stays on screen), except while the
//    resident is scrolling or reading the transcript themselves.
// 4. On a small player, captions sit above the player's controls.
// 5. The view beacon: sent once, when the viewer has really watched enough
//    (>= 10 s, or 30 % of a video shorter than 30 s); the server checks again.
(function () {
  "use strict";
  var HANDS_OFF_MS = 8000;   // after the resident touches the transcript, leave it alone this long
  var SMALL_PLAYER_PX = 600; // below this width the controls cover the bottom caption line
  var CUE_LINE_SMALL = -3;   // third line from the bottom: clear of the controls

  termsOpenOnFocus();
  var player = document.getElementById("player");
  if (!player) { return; }
  var transcript = document.querySelector(".transcript ol");
  var follower = transcript ? followTranscript(player, transcript) : null;
  seekFromTimestamps(player, follower);
  liftCaptionsOnSmallPlayers(player);
  if (player.dataset.beacon && !player.dataset.preview) { sendViewBeacon(player); }

  function termsOpenOnFocus() {
    document.addEventListener("focusin", function (event) {
      var summary = event.target.closest && event.target.closest("details.term > summary");
      if (!summary || !summary.matches(":focus-visible") || summary.parentNode.open) { return; }
      summary.parentNode.open = true;
      summary.parentNode.dataset.openedByFocus = "1";
    });
    document.addEventListener("focusout", function (event) {
      var details = event.target.closest && event.target.closest("details.term");
      if (details && details.dataset.openedByFocus) {
        details.open = false;
        delete details.dataset.openedByFocus;
      }
    });
    // Enter or a tap on a term that focus already opened keeps it open (instead of closing it).
    document.addEventListener("click", function (event) {
      var summary = event.target.closest && event.target.closest("details.term > summary");
      if (summary && summary.parentNode.dataset.openedByFocus) {
        event.preventDefault();
        delete summary.parentNode.dataset.openedByFocus;
      }
    });
  }

  function seekFromTimestamps(media, follow) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a.seek");
      if (!link) { return; }
      event.preventDefault();
      media.currentTime = Number(link.dataset.t);
      if (follow) { follow.resume(); }
      var playing = media.play();
      if (playing) { playing.catch(function () {}); }  // a blocked autoplay is not an error
      media.focus();
      history.replaceState(null, "", link.href);
    });
  }

  function followTranscript(media, box) {
    var lines = box.querySelectorAll("li[data-start]");
    var current = null, touchedAt = -Infinity;
    box.classList.add("follows");
    ["wheel", "touchstart", "pointerdown", "keydown"].forEach(function (name) {
      box.addEventListener(name, function () { touchedAt = Date.now(); }, { passive: true });
    });

    function lineAt(ms) {
      var found = null;
      for (var i = 0; i < lines.length && Number(lines[i].dataset.start) <= ms; i++) { found = lines[i]; }
      return found;
    }

    function keepInView(line) {
      var top = line.offsetTop, bottom = top + line.offsetHeight;
      if (top >= box.scrollTop && bottom <= box.scrollTop + box.clientHeight) { return; }
      var still = document.documentElement.classList.contains("large-print") ||
        window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      box.scrollTo({ top: top - box.clientHeight / 3, behavior: still ? "auto" : "smooth" });
    }

    function update() {
      var line = lineAt(media.currentTime * 1000);
      if (line === current) { return; }
      if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
      current = line;
      if (!line) { return; }
      line.classList.add("current");
      line.setAttribute("aria-current", "true");
      if (Date.now() - touchedAt > HANDS_OFF_MS) { keepInView(line); }
    }

    media.addEventListener("timeupdate", update);
    media.addEventListener("seeked", update);
    return { resume: function () { touchedAt = -Infinity; } };
  }

  function liftCaptionsOnSmallPlayers(media) {
    function place() {
      var line = media.clientWidth < SMALL_PLAYER_PX ? CUE_LINE_SMALL : "auto";
      Array.prototype.forEach.call(media.textTracks || [], function (track) {
        Array.prototype.forEach.call(track.cues || [], function (cue) { cue.line = line; });
      });
    }
    Array.prototype.forEach.call(media.querySelectorAll("track"), function (track) {
      track.addEventListener("load", place);
    });
    window.addEventListener("resize", place);
    place();
  }

  function sendViewBeacon(media) {
    var watched = 0, last = null, sent = false;

    function threshold() {
      var duration = Number(media.dataset.duration) / 1000 || media.duration || 0;
      return duration > 0 && duration < 30 ? Math.min(10, duration * 0.3) : 10;
    }

    function send() {
      sent = true;
      fetch(media.dataset.beacon, {
        method: "POST", keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ episode: Number(media.dataset.episode), watched: watched })
      }).catch(function () { sent = false; });
    }

    // Count media time actually played: small forward steps between timeupdates,
    // not jumps made by seeking.
    media.addEventListener("timeupdate", function () {
      var now = media.currentTime;
      if (last !== null && !media.seeking && now > last && now - last < 5) { watched += now - last; }
      last = now;
      if (!sent && watched >= threshold()) { send(); }
    });
    media.addEventListener("seeking", function () { last = null; });
  }
}());
