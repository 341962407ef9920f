/* The storyteller's pages: focus the error summary; follow transcription progress. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();

  var region = document.querySelector("[data-poll]");
  if (!region || !window.fetch) return;
  var url = region.getAttribute("data-poll");
  var announce = document.getElementById("progress-announce");
  var hint = document.getElementById("poll-hint");
  var seen = {};

  function update(item) {
    var cards = region.querySelectorAll('[data-story="' + item.story + '"]');
    cards.forEach(function (card) {
      var badge = card.querySelector(".badge");
      if (badge) {
        badge.textContent = item.label;
        badge.className = "badge badge-" + item.status;
      }
      var explained = card.querySelector("[data-explained]");
      if (explained) {
        explained.textContent = item.problem ? "Transcription failed: " + item.problem : item.explained;
      }
      var bar = card.querySelector("[data-progress]");
      var percent = card.querySelector("[data-percent]");
      var line = bar ? bar.closest(".progress-line") : null;
      if (line && (item.done || (item.status !== "uploaded" && item.status !== "transcribing"))) {
        line.hidden = true;
      } else if (bar && item.percent !== null) {
        bar.value = item.percent;
        bar.textContent = item.percent + "%";
        if (percent) percent.textContent = item.percent + "% done";
      }
      // Redrawn (by the server's own template) only when something changed, so keyboard focus
      // on the step's link is not lost at every poll.
      var path = card.querySelector("[data-journey]");
      var key = item.status + "|" + (item.percent === null ? "" : item.percent) + "|" + item.problem;
      if (path && item.journey_html && path.getAttribute("data-journey") !== key) {
        path.innerHTML = item.journey_html;
        path.setAttribute("data-journey", key);
      }
    });
    if (seen[item.story] && seen[item.story] !== item.status && announce) {
      var title = region.querySelector('[data-story="' + item.story + '"] h2, [data-story="' + item.story + '"] h3');
      announce.textContent = (title ? title.textContent.trim() + ": " : "") + item.label + ". " + item.explained;
    }
    seen[item.story] = item.status;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var pending = false;
        data.stories.forEach(function (item) {
          update(item);
          if (!item.done) pending = true;
        });
        if (pending) {
          setTimeout(poll, 3000);
        } else if (hint) {
          hint.hidden = true;
        }
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 2000);
})();
