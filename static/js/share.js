// Progressive enhancement for the article share box: a "Copy link" button that only
// appears where the Clipboard API is available. Without JavaScript the links still work.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("[data-copy-url]").forEach(function (button) {
    var status = button.closest(".share").querySelector(".share__status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copyUrl).then(
        function () { status.textContent = "Link copied to the clipboard."; },
        function () { status.textContent = "Could not copy the link; copy it from the address bar."; }
      );
    });
  });
})();
