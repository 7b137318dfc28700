// Progressive enhancement for addresses to copy (the feed help page). A read-only field
// selects its whole text when focused, so it can be copied by hand anywhere; a "Copy"
// button beside it appears only where the Clipboard API is available.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyFrom);
    var status = document.getElementById(button.dataset.copyStatus);
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = button.dataset.copyDone; },
        function () {
          field.focus();
          status.textContent = "Could not copy: the address is selected, copy it with your keyboard.";
        }
      );
    });
  });
})();
