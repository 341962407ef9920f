// Transcriptions list: choosing a state shows those jobs at once (the button does it without
// JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
