/*
 * A transcript that follows its recording (progressive enhancement): the public story page and
 * the storyteller's review page both load this script.
 *
 * Markup: the media element has data-player; the transcript has data-transcript; each line in
 * it has data-start and data-end (seconds). A line is played from by choosing the line itself
 * when it is a link (the story page: without JavaScript the link reloads the page with the
 * player starting there, ?t=seconds) or a [data-seek] button inside it (the review page). An
 * optional [data-follow-toggle] holds a checkbox that turns following off. With the script:
 * - choosing a line plays the recording from there, without leaving the page;
 * - the line being spoken is marked with aria-current (its list item gets is-current);
 * - the transcript scrolls to keep that line in view, unless the listener turns it off or is
 *   reading elsewhere in the transcript (focus or pointer inside it);
 * - Up and Down arrows (and Home/End) move between lines that are links;
 * - ?t= or #t= in the address starts the player at that moment;
 * - a "transcript:changed" event on the transcript (its lines were redrawn) reads them again.
 */
(function () {
  "use strict";

  var media = document.querySelector("[data-player]");
  var list = document.querySelector("[data-transcript]");
  if (!media || !list) {
    return;
  }
  var cues, starts, ends;
  var current = -1;

  function readLines() {
    cues = Array.prototype.slice.call(list.querySelectorAll("[data-start]"));
    starts = cues.map(function (cue) { return parseFloat(cue.dataset.start); });
    ends = cues.map(function (cue) { return parseFloat(cue.dataset.end); });
    current = -1;
  }
  readLines();
  // The review page redraws its lines after an edit (studio.js): read them again, mark anew.
  list.addEventListener("transcript:changed", function () {
    readLines();
    mark(indexAt(media.currentTime));
  });
  var follow = true;
  var reading = false;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var toggle = document.querySelector("[data-follow-toggle]");
  if (toggle) {
    toggle.hidden = false;
    var box = toggle.querySelector("input");
    follow = box.checked;
    box.addEventListener("change", function () { follow = box.checked; });
  }

  function indexAt(time) {
    // The last line that has started; between lines the previous one stays current.
    var found = -1;
    for (var i = 0; i < starts.length; i += 1) {
      if (starts[i] <= time + 0.05) {
        found = i;
      } else {
        break;
      }
    }
    if (found >= 0 && time > ends[found] + 1.5 && found === starts.length - 1) {
      return -1;
    }
    return found;
  }

  function keepInView(cue) {
    if (!follow || reading) {
      return;
    }
    var box = list.getBoundingClientRect();
    var line = cue.getBoundingClientRect();
    var scrollsItself = list.scrollHeight > list.clientHeight + 1;
    if (scrollsItself) {
      if (line.top < box.top || line.bottom > box.bottom) {
        var offset = cue.offsetTop - list.offsetTop - list.clientHeight / 3;
        list.scrollTo({ top: offset, behavior: reduceMotion ? "auto" : "smooth" });
      }
    } else if (line.top < 0 || line.bottom > window.innerHeight) {
      cue.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }

  function mark(index) {
    if (index === current) {
      return;
    }
    if (current >= 0) {
      cues[current].removeAttribute("aria-current");
      (cues[current].closest("li") || cues[current]).classList.remove("is-current");
    }
    current = index;
    if (index >= 0) {
      cues[index].setAttribute("aria-current", "true");
      (cues[index].closest("li") || cues[index]).classList.add("is-current");
      keepInView(cues[index]);
    }
  }

  function playFrom(index) {
    media.currentTime = starts[index];
    mark(index);
    var played = media.play();
    if (played && played.catch) {
      played.catch(function () { /* the browser wants a gesture first: the line is marked */ });
    }
  }

  media.addEventListener("timeupdate", function () { mark(indexAt(media.currentTime)); });
  media.addEventListener("seeked", function () { mark(indexAt(media.currentTime)); });

  list.addEventListener("click", function (event) {
    var chosen = event.target.closest("a[data-start], [data-seek]");
    var line = chosen && chosen.closest("[data-start]");
    if (!line || !list.contains(line)) {
      return;
    }
    if (chosen.tagName === "A" && (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)) {
      return; // a new tab or window for the link
    }
    event.preventDefault();
    playFrom(cues.indexOf(line));
  });

  list.addEventListener("keydown", function (event) {
    var at = cues.indexOf(document.activeElement);
    if (at < 0) {
      return;
    }
    var next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: cues.length - 1 }[event.key];
    if (next === undefined) {
      return;
    }
    event.preventDefault();
    cues[Math.max(0, Math.min(cues.length - 1, next))].focus();
  });

  // While someone reads or moves around the transcript, it does not scroll under them.
  list.addEventListener("focusin", function () { reading = true; });
  list.addEventListener("focusout", function () { reading = false; });
  list.addEventListener("pointerenter", function () { reading = true; });
  list.addEventListener("pointerleave", function () { reading = false; });

  // A link from elsewhere (an excerpt, a search result) asks for a moment: ?t= or #t=.
  var asked = new URLSearchParams(window.location.search).get("t");
  var hash = /(?:^#|&)t=([\d.]+)/.exec(window.location.hash);
  var at = parseFloat(asked || (hash && hash[1]));
  if (!isNaN(at)) {
    var seek = function () {
      media.currentTime = at;
      mark(indexAt(at));
    };
    if (media.readyState >= 1) {
      seek();
    } else {
      media.addEventListener("loadedmetadata", seek, { once: true });
    }
  }
})();
