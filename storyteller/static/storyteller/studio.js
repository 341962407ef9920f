/*
 * The transcript studio (progressive enhancement of the review page's forms).
 *
 * Without this script every correction, join, split, speaker change, replacement and undo is a
 * plain form that reloads the page. With it, the same forms are sent in the background: the
 * server answers with the lines drawn by its own template, which replace the old ones, so the
 * recording keeps playing where it is. A status line (aria-live) says what was saved, or why
 * not. Keys: Alt+Shift+P play/pause, Alt+Shift+B back 5 s, Alt+Shift+Down/Up next/previous
 * line, Ctrl+Enter save the line, Alt+Shift+S split the line at the cursor.
 */
(function () {
  "use strict";

  var list = document.getElementById("lines");
  var tools = document.getElementById("studio-tools");
  var status = document.getElementById("studio-status");
  var media = document.querySelector("[data-player]");
  if (!list || !window.fetch || !window.FormData) {
    return;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function showSplitButtons() {
    list.querySelectorAll("[data-split-here]").forEach(function (button) { button.hidden = false; });
  }
  showSplitButtons();

  function lineNumberOf(element) {
    var line = element && element.closest("[data-line]");
    return line ? parseInt(line.getAttribute("data-line"), 10) : null;
  }

  function focusLine(number) {
    var line = list.querySelector('[data-line="' + number + '"]') || list.querySelector("[data-line]:last-child");
    var target = line && line.querySelector("summary");
    if (target) {
      target.focus();
    }
  }

  function redraw(data, number) {
    list.innerHTML = data.lines;
    if (tools) {
      tools.innerHTML = data.tools;
    }
    showSplitButtons();
    list.dispatchEvent(new CustomEvent("transcript:changed"));
    if (number !== null) {
      focusLine(number);
    }
  }

  function send(form, body) {
    var number = lineNumberOf(form);
    say("Saving…");
    fetch(form.action, {
      method: "POST",
      body: body || new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          say("Not saved: " + answer.data.error, true);
          return;
        }
        redraw(answer.data, number);
        say(answer.data.message);
      })
      .catch(function () {
        say("Not saved: the archive could not be reached. Check your connection and try again.", true);
      });
  }

  function isStudioForm(form) {
    return form.matches("[data-line-form], [data-studio-form]");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isStudioForm(form)) {
      return;
    }
    event.preventDefault();
    send(form);
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches("select[data-autosubmit]")) {
      send(select.form);
    }
  });

  function splitAtCursor(textarea) {
    var form = textarea.form;
    var at = textarea.selectionStart;
    var body = new FormData(form);
    // The same way as without the script: a | where the new line begins.
    body.set(textarea.name, textarea.value.slice(0, at) + " | " + textarea.value.slice(at));
    send(form, body);
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-split-here]");
    if (button) {
      splitAtCursor(button.form.querySelector("textarea"));
    }
  });

  function moveLine(step) {
    var lines = Array.prototype.slice.call(list.querySelectorAll("[data-line]"));
    var at = lines.indexOf(document.activeElement && document.activeElement.closest("[data-line]"));
    if (at < 0) {
      at = lines.findIndex(function (line) { return line.classList.contains("is-current"); });
    }
    var next = lines[Math.max(0, Math.min(lines.length - 1, at + step))];
    if (next) {
      next.querySelector("summary, button").focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey && event.key === "Enter" && target.matches("[data-line-form] textarea")) {
      event.preventDefault();
      send(target.form);
      return;
    }
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var action = {
      KeyP: function () { if (media.paused) { media.play(); } else { media.pause(); } },
      KeyB: function () { media.currentTime = Math.max(0, media.currentTime - 5); },
      ArrowDown: function () { moveLine(1); },
      ArrowUp: function () { moveLine(-1); },
      KeyS: function () {
        if (target.matches("[data-line-form] textarea")) {
          splitAtCursor(target);
        }
      },
    }[event.code];
    if (action && media) {
      event.preventDefault();
      action();
    }
  });
})();
