// Keeps the article's edit lock while its change form is open: a heartbeat every 30
// seconds (the lock expires two minutes after the last one), a release when the page is
// left, and a notice when someone else has taken the article over.
(function () {
  "use strict";
  var lock = document.getElementById("edit-lock");
  var status = document.getElementById("edit-lock-status");
  var tokenInput = document.querySelector("#article_form input[name=csrfmiddlewaretoken]");
  if (!lock || !tokenInput) {
    return;
  }
  var token = tokenInput.value;
  var timer = null;

  function lost(data) {
    window.clearInterval(timer);
    status.textContent = "";
    var text = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = data.holder + " took over editing at " + data.since + ".";
    text.appendChild(strong);
    text.appendChild(document.createTextNode(
      " Your changes are still in the form. If you save, the save is refused when " +
      "they have saved meanwhile, and you are shown what they changed."
    ));
    status.appendChild(text);
    status.hidden = false;
  }

  function beat() {
    fetch(lock.dataset.heartbeatUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json"},
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && !data.held) {
        lost(data);
      }
    }).catch(function () {
      // Offline for a moment: the next beat tries again; the lock outlives a few misses.
    });
  }

  timer = window.setInterval(beat, 30000);
  // Coming back to the tab: say at once whether the article is still ours.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      beat();
    }
  });
  // Saving comes back to this form (or leaves it on purpose): the reply keeps or frees
  // the lock itself, and a release sent now could arrive after the new page claimed it.
  var submitting = false;
  document.getElementById("article_form").addEventListener("submit", function (event) {
    var target = event.submitter && event.submitter.getAttribute("formtarget");
    submitting = target !== "_blank";
  });
  window.addEventListener("pagehide", function () {
    if (submitting) {
      return;
    }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    navigator.sendBeacon(lock.dataset.releaseUrl, body);
  });
})();
