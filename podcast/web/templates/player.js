(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var audio = player.querySelector("audio");
  var status = document.getElementById("player-status");
  var sleep = document.getElementById("sleep");
  var follow = document.getElementById("follow");
  var positionKey = "podcast-position:" + player.dataset.guid;
  var speedKey = "podcast-speed";
  player.querySelector(".controls").hidden = false;

  // localStorage throws where storage is off (private modes, a page opened from disk): the player still plays.
  function load(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function store(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* nothing to keep it in */ }
  }
  function clock(seconds) {
    var whole = Math.floor(seconds), h = Math.floor(whole / 3600), m = Math.floor(whole % 3600 / 60), s = whole % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }
  function say(text) { status.textContent = text; }

  // Where the listener stopped: saved while playing, restored on the next visit, forgotten at the end.
  function savePosition() {
    if (audio.currentTime > 0 && !audio.ended) { store(positionKey, audio.currentTime.toFixed(1)); }
  }
  function restorePosition() {
    var saved = parseFloat(load(positionKey));
    var fromLink = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    var start = fromLink ? parseFloat(fromLink[1]) : saved;
    if (start > 0 && (!audio.duration || start < audio.duration - 1)) {
      audio.currentTime = start;
      say((fromLink ? "Starting at " : "Resuming at ") + clock(start));
    }
  }
  if (audio.readyState >= 1) { restorePosition(); } else { audio.addEventListener("loadedmetadata", restorePosition, { once: true }); }
  var lastSaved = 0;
  audio.addEventListener("timeupdate", function () {
    var now = Date.now();
    if (now - lastSaved > 1000) { savePosition(); lastSaved = now; }
    markCurrent();
  });
  audio.addEventListener("pause", savePosition);
  audio.addEventListener("seeked", savePosition);
  window.addEventListener("pagehide", savePosition);
  audio.addEventListener("ended", function () {
    store(positionKey, null);
    if (sleep.value === "end") { sleep.value = ""; say("Sleep timer: the episode has ended."); }
  });

  // Skip back and forward.
  player.querySelectorAll("[data-skip]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = audio.currentTime + Number(button.dataset.skip);
      audio.currentTime = Math.max(0, isFinite(audio.duration) ? Math.min(target, audio.duration) : target);
    });
  });

  // Speed: one button pressed at a time; kept for the next episode too.
  var speedButtons = player.querySelectorAll("[data-speed]");
  function setSpeed(rate) {
    audio.defaultPlaybackRate = rate;
    audio.playbackRate = rate;
    speedButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", Number(button.dataset.speed) === rate ? "true" : "false");
    });
  }
  speedButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var rate = Number(button.dataset.speed);
      setSpeed(rate);
      store(speedKey, String(rate));
      say("Speed " + rate + "×");
    });
  });
  var savedSpeed = Number(load(speedKey));
  if (savedSpeed >= 0.5 && savedSpeed <= 3) { setSpeed(savedSpeed); }
  audio.addEventListener("loadedmetadata", function () { audio.playbackRate = audio.defaultPlaybackRate; });

  // Sleep timer: pause after the chosen minutes, or at the end of the episode.
  // <html data-minute-ms> shortens a minute, so a test need not wait for one.
  var sleepTimer = null;
  function minuteMs() { return Number(document.documentElement.dataset.minuteMs) || 60000; }
  sleep.addEventListener("change", function () {
    window.clearTimeout(sleepTimer);
    sleepTimer = null;
    if (sleep.value === "") { say("Sleep timer off."); return; }
    if (sleep.value === "end") { say("Playback stops at the end of this episode."); return; }
    var minutes = Number(sleep.value);
    sleepTimer = window.setTimeout(function () {
      audio.pause();
      sleep.value = "";
      sleepTimer = null;
      say("Sleep timer: paused.");
    }, minutes * minuteMs());
    say("Playback pauses in " + minutes + " minutes.");
  });

  // Chapters and transcript cues seek the player; the current one is marked as it plays.
  var seekers = Array.prototype.slice.call(document.querySelectorAll("button.seek"));
  seekers.forEach(function (button) {
    button.addEventListener("click", function () {
      audio.currentTime = Number(button.dataset.start);
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () { /* the listener presses play */ }); }
    });
  });
  function current(list) {
    var found = null;
    list.forEach(function (button) { if (Number(button.dataset.start) <= audio.currentTime + 0.25) { found = button; } });
    return found;
  }
  var chapterButtons = seekers.filter(function (b) { return b.closest(".chapters"); });
  var cueButtons = seekers.filter(function (b) { return b.closest(".cues"); });
  var cueList = document.querySelector(".cues");
  var lastCue = null;
  function markCurrent() {
    [chapterButtons, cueButtons].forEach(function (list) {
      var now = current(list);
      list.forEach(function (button) {
        if (button === now) { button.setAttribute("aria-current", "true"); } else { button.removeAttribute("aria-current"); }
      });
    });
    var cue = current(cueButtons);
    if (cue && cue !== lastCue && follow && follow.checked && !audio.paused) {
      var item = cue.closest("li");
      cueList.scrollTop = item.offsetTop - cueList.offsetTop - cueList.clientHeight / 3;
    }
    lastCue = cue;
  }
})();
