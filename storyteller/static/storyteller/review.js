/* Transcript review: "Play from here" buttons seek the player; the line being played is
 * marked with aria-current (and, visibly, a "Now playing" label and a thick border). */
(function () {
  "use strict";
  var player = document.getElementById("player");
  var list = document.getElementById("segments");
  if (!player || !list) return;
  var segments = Array.prototype.slice.call(list.querySelectorAll(".segment"));
  var current = null;

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek]");
    if (!button) return;
    player.currentTime = parseFloat(button.getAttribute("data-seek"));
    var playing = player.play();
    if (playing && playing.catch) playing.catch(function () { /* autoplay refused: the time is set */ });
  });

  function mark() {
    var t = player.currentTime;
    var found = null;
    for (var i = 0; i < segments.length; i++) {
      var start = parseFloat(segments[i].getAttribute("data-start"));
      var end = parseFloat(segments[i].getAttribute("data-end"));
      if (t >= start && t < end) { found = segments[i]; break; }
    }
    if (found === current) return;
    if (current) current.removeAttribute("aria-current");
    if (found) found.setAttribute("aria-current", "true");
    current = found;
  }
  player.addEventListener("timeupdate", mark);
  player.addEventListener("seeked", mark);
})();
