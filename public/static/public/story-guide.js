/*
 * The story page's guide beside the player (progressive enhancement; without this script every
 * part works as links and GET forms that reload the page at ?t=seconds or with ?q=words).
 *
 * - Chapter links and found places ([data-seek-to]) play the recording from there, in place.
 * - The chapter being played is marked (aria-current="true" on its link, is-current on its item).
 * - Found places get Previous and Next buttons, Up and Down arrows within their list, and tick
 *   marks over the player ([data-hit-marks]) at their share of the recording's length.
 * - "Copy a link to this moment" puts the current second into the link (?t=) and copies it.
 */
(function () {
  "use strict";

  var media = document.querySelector("[data-player]");

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  function seek(seconds) {
    if (!media) {
      return false;
    }
    media.currentTime = seconds;
    var played = media.play();
    if (played && played.catch) {
      played.catch(function () { /* the browser wants a gesture first: the moment is set */ });
    }
    return true;
  }

  // --- Chapters and found places play from their moment ------------------------------------
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-seek-to]");
    if (!link || !media || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    seek(parseFloat(link.dataset.seekTo));
    var hitAt = hits.indexOf(link);
    if (hitAt >= 0) {
      markHit(hitAt);
    }
  });

  // --- The chapter being played ------------------------------------------------------------
  var chapters = Array.prototype.slice.call(document.querySelectorAll("[data-chapter]"));
  var chapterStarts = chapters.map(function (c) { return parseFloat(c.dataset.start); });
  var currentChapter = -1;

  function markChapter() {
    var time = media.currentTime;
    var found = -1;
    for (var i = 0; i < chapterStarts.length; i += 1) {
      if (chapterStarts[i] <= time + 0.05) {
        found = i;
      }
    }
    if (found === currentChapter) {
      return;
    }
    if (currentChapter >= 0) {
      chapters[currentChapter].classList.remove("is-current");
      chapters[currentChapter].querySelector("a").removeAttribute("aria-current");
    }
    currentChapter = found;
    if (found >= 0) {
      chapters[found].classList.add("is-current");
      chapters[found].querySelector("a").setAttribute("aria-current", "true");
    }
  }

  if (media && chapters.length) {
    media.addEventListener("timeupdate", markChapter);
    media.addEventListener("seeked", markChapter);
    media.addEventListener("loadedmetadata", markChapter);
  }

  // --- Found places: step through them, and mark them over the player ----------------------
  var hits = Array.prototype.slice.call(document.querySelectorAll("[data-hits] a[data-seek-to]"));
  var currentHit = -1;
  var announce = document.querySelector("[data-hit-announce]");

  function markHit(index) {
    if (currentHit >= 0) {
      hits[currentHit].removeAttribute("aria-current");
    }
    currentHit = index;
    hits[index].setAttribute("aria-current", "true");
    if (announce) {
      announce.textContent = "Place " + (index + 1) + " of " + hits.length + ", at " +
        clock(parseFloat(hits[index].dataset.seekTo));
    }
  }

  if (media && hits.length) {
    var steps = document.querySelector("[data-hit-steps]");
    steps.hidden = false;
    steps.addEventListener("click", function (event) {
      var button = event.target.closest("[data-hit-step]");
      if (!button) {
        return;
      }
      var next = (currentHit + parseInt(button.dataset.hitStep, 10) + hits.length) % hits.length;
      if (currentHit < 0 && button.dataset.hitStep === "-1") {
        next = hits.length - 1;
      }
      markHit(next);
      seek(parseFloat(hits[next].dataset.seekTo));
      hits[next].scrollIntoView({ block: "nearest" });
    });

    var list = document.querySelector("[data-hits]");
    list.addEventListener("keydown", function (event) {
      var at = hits.indexOf(document.activeElement);
      var next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: hits.length - 1 }[event.key];
      if (at < 0 || next === undefined) {
        return;
      }
      event.preventDefault();
      hits[Math.max(0, Math.min(hits.length - 1, next))].focus();
    });

    var marks = document.querySelector("[data-hit-marks]");
    var drawMarks = function () {
      if (!marks || !isFinite(media.duration) || media.duration <= 0) {
        return;
      }
      marks.textContent = "";
      hits.forEach(function (hit) {
        var tick = document.createElement("span");
        tick.className = "hit-mark";
        tick.style.left = (100 * parseFloat(hit.dataset.seekTo) / media.duration) + "%";
        tick.title = clock(parseFloat(hit.dataset.seekTo));
        tick.addEventListener("click", function () { hit.click(); });
        marks.appendChild(tick);
      });
      marks.setAttribute("aria-hidden", "true"); // the list of places says the same in words
      marks.hidden = false;
    };
    if (media.readyState >= 1) {
      drawMarks();
    } else {
      media.addEventListener("loadedmetadata", drawMarks, { once: true });
    }
  }

  // --- Share this moment -------------------------------------------------------------------
  var share = document.querySelector("[data-share-moment]");
  var field = document.querySelector("[data-moment-link]");
  var said = document.querySelector("[data-share-announce]");
  if (share && field && media) {
    share.hidden = false;
    share.addEventListener("click", function () {
      var url = new URL(field.value, window.location.href);
      var second = Math.floor(media.currentTime || 0);
      url.searchParams.set("t", String(second));
      url.searchParams.delete("q");
      url.hash = "player";
      field.value = url.toString();
      field.focus();
      field.select();
      var done = function () { said.textContent = "Link to " + clock(second) + " copied."; };
      var ready = function () { said.textContent = "Link to " + clock(second) + " ready to copy."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, ready);
      } else {
        ready();
      }
    });
  }
})();
