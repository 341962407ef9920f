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
    list.querySelectorAll("[data-split-here], [data-redact-here]").forEach(function (button) {
      button.hidden = false;
    });
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
  // Taking words out. A selection over one line's words (a mouse drag over the line, or the
  // keyboard in the line's "Correct line" box) fills the redaction form's line and word numbers;
  // the form itself is a plain one, which works without this script.
  var redactForm = document.querySelector("[data-redact-form]");
  var chosenSay = document.getElementById("redact-chosen");
  var jump = null;

  function clearChosen() {
    list.querySelectorAll("[data-w].is-chosen").forEach(function (w) { w.classList.remove("is-chosen"); });
  }

  function choose(line, first, last) {
    var number = line.getAttribute("data-line");
    var words = [];
    clearChosen();
    for (var i = first; i <= last; i++) {
      var word = line.querySelector('[data-words] [data-w="' + i + '"]');
      if (word) {
        word.classList.add("is-chosen");
        words.push(word.textContent);
      }
    }
    redactForm.elements.line.value = number;
    redactForm.elements.first.value = first;
    redactForm.elements.last.value = last;
    redactForm.elements.start.value = "";
    redactForm.elements.end.value = "";
    chosenSay.textContent = "Chosen in line " + number + ": \u201c" + words.join(" ") +
      "\u201d. Add why if you like, then press \u201cTake these words out\u201d.";
    return true;
  }

  function wordsOfRange(range) {
    // The words of one line that the range covers (not just touches at an edge).
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var line = start && start.closest("[data-line]");
    if (!line || !line.contains(range.endContainer)) {
      return null;
    }
    var covered = Array.prototype.filter.call(line.querySelectorAll("[data-words] [data-w]"), function (word) {
      if (!range.intersectsNode(word)) {
        return false;
      }
      // The part of the word inside the selection: some of its letters, not only an edge.
      var part = document.createRange();
      part.selectNodeContents(word);
      if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) {
        part.setStart(range.startContainer, range.startOffset);
      }
      if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) {
        part.setEnd(range.endContainer, range.endOffset);
      }
      return part.toString().trim() !== "";
    });
    if (!covered.length) {
      return null;
    }
    return {
      line: line,
      first: parseInt(covered[0].getAttribute("data-w"), 10),
      last: parseInt(covered[covered.length - 1].getAttribute("data-w"), 10),
    };
  }

  function offerJump(line) {
    if (!jump) {
      jump = document.createElement("button");
      jump.type = "button";
      jump.className = "secondary redact-jump";
      jump.textContent = "Take these words out\u2026";
      jump.addEventListener("click", goToForm);
    }
    line.querySelector(".segment-text").after(jump);
  }

  function goToForm() {
    var reason = redactForm.elements.reason;
    reason.scrollIntoView({ block: "center" });
    reason.focus();
  }

  function wordsOfField(textarea) {
    // Character offsets in the line's words as written: the same words, one by one.
    var line = textarea.closest("[data-line]");
    var shown = line.querySelectorAll("[data-words] [data-w]");
    var tokens = [];
    var match;
    var pattern = /\S+/g;
    while ((match = pattern.exec(textarea.value)) !== null) {
      tokens.push([match.index, match.index + match[0].length]);
    }
    if (textarea.value !== textarea.defaultValue || tokens.length !== shown.length) {
      return "changed";
    }
    var from = textarea.selectionStart;
    var to = textarea.selectionEnd;
    var inside = [];
    tokens.forEach(function (token, i) {
      if (token[0] < to && token[1] > from) {
        inside.push(i + 1);
      }
    });
    return inside.length ? { line: line, first: inside[0], last: inside[inside.length - 1] } : null;
  }

  if (redactForm && chosenSay) {
    document.addEventListener("mouseup", function (event) {
      if (!list.contains(event.target) || event.target.closest("textarea, details")) {
        return;
      }
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) {
        return;
      }
      var chosen = wordsOfRange(selection.getRangeAt(0));
      if (!chosen) {
        chosenSay.textContent = "Choose words within one line.";
        return;
      }
      choose(chosen.line, chosen.first, chosen.last);
      offerJump(chosen.line);
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-redact-here]");
      if (!button) {
        return;
      }
      var chosen = wordsOfField(button.form.querySelector("textarea"));
      if (chosen === "changed") {
        say("Save or undo your correction of this line first, then select the words again.", true);
      } else if (!chosen) {
        say("Select the words to take out in the box first (hold Shift and use the arrow keys).", true);
      } else {
        choose(chosen.line, chosen.first, chosen.last);
        goToForm();
      }
    });
  }
})();
