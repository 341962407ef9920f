/* Resumable chunked upload for the "Tell a story" form (progressive enhancement).
 *
 * Without this script the form posts the file as plain multipart data. With it, choosing a
 * file starts sending it in chunks at once; each chunk says its offset, and after a dropped
 * connection the upload resumes from the offset the server reports. The form is submitted
 * as usual once the file has arrived and been checked; only its upload id goes with it.
 */
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  var configEl = document.getElementById("upload-config");
  if (!form || !configEl || !window.fetch || !window.Blob || !Blob.prototype.slice) return;
  var config = JSON.parse(configEl.textContent);
  var fileInput = document.getElementById("id_media");
  var hidden = document.getElementById("id_upload");
  var widget = form.querySelector("[data-upload-widget]");
  var bar = document.getElementById("upload-progress");
  var statusEl = document.getElementById("upload-status");
  var resumeButton = form.querySelector("[data-upload-resume]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var MAX_RETRIES = 5;

  var state = { file: null, session: null, key: null, uploading: false, submitWhenDone: false };

  // Show only the part of the form for the chosen way of telling the story.
  function showKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : null;
    form.querySelectorAll("[data-kind-section]").forEach(function (section) {
      section.hidden = kind !== null && section.getAttribute("data-kind-section") !== kind;
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (input) {
    input.addEventListener("change", showKind);
  });
  showKind();

  function say(message) { statusEl.textContent = message; }
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var lastAnnounced = -1;
  function showProgress(offset, size) {
    var percent = size ? Math.floor((offset / size) * 100) : 0;
    bar.value = percent;
    bar.textContent = percent + "%";
    // Announce every tenth, not every chunk, so screen readers are not flooded.
    var step = Math.floor(percent / 10);
    if (step !== lastAnnounced) {
      lastAnnounced = step;
      say("Uploaded " + percent + "% (" + megabytes(offset) + " of " + megabytes(size) + ").");
    }
  }

  function clearError() {
    var field = fileInput.closest(".field");
    var old = document.getElementById("id_media_error");
    if (old) old.remove();
    if (field) field.classList.remove("field-has-error");
    fileInput.removeAttribute("aria-invalid");
    var summary = document.getElementById("upload-error-summary");
    if (summary) summary.remove();
  }

  function showError(message) {
    clearError();
    state.uploading = false;
    state.submitWhenDone = false;
    var field = fileInput.closest(".field");
    var p = document.createElement("p");
    p.className = "field-error";
    p.id = "id_media_error";
    var hiddenLabel = document.createElement("span");
    hiddenLabel.className = "visually-hidden";
    hiddenLabel.textContent = "Error:";
    p.appendChild(hiddenLabel);
    p.appendChild(document.createTextNode(" " + message));
    if (field) {
      field.classList.add("field-has-error");
      field.insertBefore(p, fileInput);
    }
    fileInput.setAttribute("aria-invalid", "true");
    var described = (fileInput.getAttribute("aria-describedby") || "").split(" ");
    if (described.indexOf("id_media_error") === -1) described.push("id_media_error");
    fileInput.setAttribute("aria-describedby", described.join(" ").trim());

    var summary = document.createElement("div");
    summary.className = "error-summary";
    summary.id = "upload-error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    var heading = document.createElement("h2");
    heading.textContent = "There is a problem with your file";
    var list = document.createElement("ul");
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#id_media";
    link.textContent = message;
    item.appendChild(link);
    list.appendChild(item);
    summary.appendChild(heading);
    summary.appendChild(list);
    form.parentNode.insertBefore(summary, form);
    summary.focus();
    widget.hidden = true;
    say("");
  }

  function request(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRFToken": csrf }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function storageKey(file) {
    return "story-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  async function resumableSession(file) {
    var saved = null;
    try { saved = window.sessionStorage.getItem(state.key); } catch (e) { saved = null; }
    if (saved) {
      try {
        var existing = await request(saved);
        if (existing.ok && existing.data.status === "receiving") return existing.data;
      } catch (e) { /* start afresh */ }
    }
    var started = await request(config.start, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: file.name, size: file.size }),
    });
    if (!started.ok) {
      throw new Error(started.data.error || "The upload could not start. Try again in a moment.");
    }
    try { window.sessionStorage.setItem(state.key, started.data.url); } catch (e) { /* private mode */ }
    return started.data;
  }

  async function send() {
    var file = state.file;
    var session = state.session;
    var chunkSize = session.chunk || config.chunk;
    var offset = session.offset;
    var retries = 0;
    state.uploading = true;
    widget.hidden = false;
    resumeButton.hidden = true;
    showProgress(offset, file.size);
    while (offset < file.size) {
      var end = Math.min(offset + chunkSize, file.size);
      var result;
      try {
        result = await request(session.url, {
          method: "PUT",
          headers: { "Upload-Offset": String(offset), "Content-Type": "application/octet-stream" },
          body: file.slice(offset, end),
        });
      } catch (e) {
        retries += 1;
        if (retries > MAX_RETRIES) {
          state.uploading = false;
          resumeButton.hidden = false;
          say("The connection dropped at " + Math.floor((offset / file.size) * 100) + "%. " +
              "What arrived is kept: press “Resume the upload” when you are back online.");
          return;
        }
        say("The connection dropped; trying again (" + retries + " of " + MAX_RETRIES + ")…");
        await sleep(1000 * Math.pow(2, retries - 1));
        try {
          var where = await request(session.url);
          if (where.ok) offset = where.data.offset;
        } catch (e2) { /* still offline: the next try will tell */ }
        continue;
      }
      if (result.status === 409 && typeof result.data.offset === "number") {
        offset = result.data.offset;  // the server knows best where we are
        continue;
      }
      if (!result.ok) {
        showError(result.data.error || "The upload failed. Choose the file again.");
        return;
      }
      retries = 0;
      offset = result.data.offset;
      session.offset = offset;
      showProgress(offset, file.size);
    }
    say("Upload complete. Checking the recording…");
    var finished = await request(session.finish, { method: "POST" });
    try { window.sessionStorage.removeItem(state.key); } catch (e) { /* ignore */ }
    if (!finished.ok) {
      showError(finished.data.error || "The file could not be checked. Choose it again.");
      return;
    }
    hidden.value = finished.data.id;
    fileInput.removeAttribute("name");  // the file itself need not go with the form
    state.uploading = false;
    bar.value = 100;
    bar.textContent = "100%";
    say("Your recording is uploaded and checked.");
    if (state.submitWhenDone) form.submit();
  }

  async function begin(file) {
    clearError();
    hidden.value = "";
    fileInput.setAttribute("name", "media");
    var ready = document.getElementById("ready-upload");
    if (ready) ready.remove();
    state.file = file;
    state.key = storageKey(file);
    lastAnnounced = -1;
    widget.hidden = false;
    say("Starting the upload…");
    try {
      state.session = await resumableSession(file);
    } catch (e) {
      showError(e.message);
      return;
    }
    await send();
  }

  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files[0]) begin(fileInput.files[0]);
  });

  resumeButton.addEventListener("click", function () {
    if (!state.session || !state.file) return;
    request(state.session.url).then(function (where) {
      if (where.ok) state.session.offset = where.data.offset;
      send();
    }).catch(function () {
      say("Still offline. Check your connection and press “Resume the upload” again.");
    });
  });

  form.addEventListener("submit", function (event) {
    if (state.uploading) {
      event.preventDefault();
      state.submitWhenDone = true;
      say("Your story will be sent as soon as the upload has finished.");
    }
  });
})();
