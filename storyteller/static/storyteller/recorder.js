/*
 * Record a story in the browser (progressive enhancement of the "Tell a story" form).
 *
 * Shown only where the browser can record (MediaRecorder and a microphone). While recording it
 * shows the sound level and the time; afterwards the storyteller listens back, then uses the
 * recording or records again. A used recording becomes the form's chosen file, so it travels
 * by the same resumable upload (upload.js), type check and metadata stripping as any file.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-recorder]");
  var fileInput = document.getElementById("id_media");
  if (!box || !fileInput || !window.MediaRecorder || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia || !window.DataTransfer) {
    return;
  }
  box.hidden = false;
  var startButton = box.querySelector("[data-record-start]");
  var stopButton = box.querySelector("[data-record-stop]");
  var level = box.querySelector("[data-record-level]");
  var elapsed = box.querySelector("[data-record-elapsed]");
  var statusEl = box.querySelector("[data-record-status]");
  var review = box.querySelector("[data-record-review]");
  var playback = box.querySelector("[data-record-playback]");
  var useButton = box.querySelector("[data-record-use]");
  var againButton = box.querySelector("[data-record-again]");
  var recorder = null, stream = null, chunks = [], recording = null, timer = null, audio = null;

  function say(text) { statusEl.textContent = text; }

  function clock(seconds) {
    var whole = Math.floor(seconds);
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function watchLevel() {
    // The loudness of the last moment (root mean square), drawn on the meter.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = new Context();
    var analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    var samples = new Float32Array(analyser.fftSize);
    (function draw() {
      if (!recorder || recorder.state !== "recording") { level.value = 0; return; }
      analyser.getFloatTimeDomainData(samples);
      var sum = 0;
      for (var i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
      level.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      window.requestAnimationFrame(draw);
    })();
  }

  function stopDevices() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    if (audio) audio.close();
    stream = null;
    audio = null;
    clearInterval(timer);
  }

  startButton.addEventListener("click", function () {
    say("Asking to use the microphone…");
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (granted) {
      stream = granted;
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", function () {
        stopDevices();
        var type = recorder.mimeType || "audio/webm";
        recording = new Blob(chunks, { type: type });
        playback.src = URL.createObjectURL(recording);
        review.hidden = false;
        startButton.hidden = false;
        stopButton.hidden = true;
        say("Recording stopped at " + elapsed.textContent + ". Listen back, then use it or record again.");
        playback.focus();
      });
      var began = Date.now();
      elapsed.textContent = "0:00";
      timer = setInterval(function () { elapsed.textContent = clock((Date.now() - began) / 1000); }, 250);
      recorder.start(1000);
      watchLevel();
      review.hidden = true;
      startButton.hidden = true;
      stopButton.hidden = false;
      stopButton.focus();
      say("Recording. Press “Stop recording” when you have finished.");
    }).catch(function (error) {
      say("The microphone could not be used (" + (error && error.name ? error.name : "refused") +
          "). Allow this site to use it in your browser's settings, or choose a recorded file instead.");
    });
  });

  stopButton.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") recorder.stop();
  });

  againButton.addEventListener("click", function () {
    review.hidden = true;
    recording = null;
    startButton.focus();
    say("Ready to record again.");
  });

  useButton.addEventListener("click", function () {
    if (!recording) return;
    var extension = recording.type.indexOf("ogg") >= 0 ? "ogg" : recording.type.indexOf("mp4") >= 0 ? "m4a" : "webm";
    var stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
    var file = new File([recording], "recording-" + stamp + "." + extension, { type: recording.type });
    var chosen = new DataTransfer();
    chosen.items.add(file);
    fileInput.files = chosen.files;
    // upload.js takes it from here, exactly as if the file had been chosen.
    fileInput.dispatchEvent(new Event("change", { bubbles: true }));
    say("Sending your recording…");
  });
})();
