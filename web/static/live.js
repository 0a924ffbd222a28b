// The live player. hls.js where the browser has Media Source Extensions (Chromium,
// Android, WeChat's in-app browser); the browser's own HLS elsewhere (iOS Safari).
// The live captions (two HLS subtitle renditions: plain words first, as heard second)
// are shown by default, one at a time: the first, unless the viewer chose the other in
// the player's captions menu; at the top of the box when the stream has no picture.
// Once the viewer has watched 10 s, one view beacon (the server counts once per viewer
// and hour).
(function () {
  "use strict";
  var video = document.getElementById("live-player");
  if (!video) { return; }
  var source = video.dataset.src;

  function showCaptions() {
    var tracks = Array.prototype.filter.call(video.textTracks || [], function (track) {
      return track.kind === "subtitles" || track.kind === "captions";
    });
    var shown = tracks.some(function (track) { return track.mode === "showing"; });
    if (tracks.length && !shown) { tracks[0].mode = "showing"; }
  }

  // A radio encoder's stream has no picture, and the browser then never hides the
  // player's controls, which cover the bottom of the box where the captioner places its
  // captions (line:85%): with no picture to keep clear, they go to the top instead.
  function captionsClearOfControls(event) {
    if (video.videoWidth) { return; }
    Array.prototype.forEach.call(event.target.activeCues || [], function (cue) {
      if (cue.line !== 0) { cue.snapToLines = true; cue.line = 0; }
    });
  }

  if (video.textTracks && video.textTracks.addEventListener) {
    video.textTracks.addEventListener("addtrack", function (event) {
      event.track.addEventListener("cuechange", captionsClearOfControls);
      showCaptions();
    });
  }
  if (window.Hls && window.Hls.isSupported()) {
    // 10 s behind the live edge (in seconds, whatever the segments' length): the captions
    // of a moment are written a few seconds after it, more on a busy machine, and must be
    // there before the picture plays it.
    var hls = new window.Hls({ renderTextTracksNatively: true, subtitleDisplay: true,
                               liveSyncDuration: 10 });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
      hls.subtitleTrack = 0;
      hls.subtitleDisplay = true;
      video.play().catch(function () { /* the viewer presses play */ });
    });
    hls.on(window.Hls.Events.SUBTITLE_TRACK_SWITCH, showCaptions);
    hls.loadSource(source);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = source;
  }
  showCaptions();
  countView();

  function countView() {
    var watched = 0, last = null, sent = false;
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (last !== null && !video.seeking && now > last && now - last < 5) { watched += now - last; }
      last = now;
      if (!sent && watched >= 10) {
        sent = true;
        fetch(video.dataset.beacon, {
          method: "POST", keepalive: true, credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ broadcast: Number(video.dataset.broadcast), watched: watched })
        }).catch(function () { sent = false; });
      }
    });
    video.addEventListener("seeking", function () { last = null; });
  }
}());
