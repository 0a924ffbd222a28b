// Progressive enhancement only: the page works without this file.
// 1. Transcript timestamps seek the player in place instead of reloading the page.
// 2. The view beacon: sent once, when the viewer has really watched enough
//    (>= 10 s, or 30 % of a video shorter than 30 s); the server checks again.
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.seek");
    if (!link) { return; }
    event.preventDefault();
    player.currentTime = Number(link.dataset.t);
    var playing = player.play();
    if (playing) { playing.catch(function () {}); }  // a blocked autoplay is not an error
    player.focus();
    history.replaceState(null, "", link.href);
  });

  if (!player.dataset.beacon || player.dataset.preview) { return; }
  var watched = 0, last = null, sent = false;

  function threshold() {
    var duration = Number(player.dataset.duration) / 1000 || player.duration || 0;
    return duration > 0 && duration < 30 ? Math.min(10, duration * 0.3) : 10;
  }

  function send() {
    sent = true;
    fetch(player.dataset.beacon, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ episode: Number(player.dataset.episode), watched: watched })
    }).catch(function () { sent = false; });
  }

  // Count media time actually played: small forward steps between timeupdates,
  // not jumps made by seeking.
  player.addEventListener("timeupdate", function () {
    var now = player.currentTime;
    if (last !== null && !player.seeking && now > last && now - last < 5) { watched += now - last; }
    last = now;
    if (!sent && watched >= threshold()) { send(); }
  });
  player.addEventListener("seeking", function () { last = null; });
}());
