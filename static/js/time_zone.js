/* A form's time zone choice (the media inquiry's deadline, an alert's digest hour): taken
   from the browser's own setting when the form is first shown, and the zone and offset
   beside the deadline kept in step with the choice. Without scripts the form still works:
   the zone defaults to the newsroom's. */
(function () {
  "use strict";
  var select = document.querySelector("select[data-time-zone]");
  if (!select) return;

  function hasOption(name) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === name) return true;
    }
    return false;
  }

  if (select.hasAttribute("data-prefill")) {
    var browserZone = "";
    try {
      browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      browserZone = "";
    }
    if (browserZone && hasOption(browserZone)) select.value = browserZone;
  }

  var deadline = document.getElementById(select.getAttribute("data-deadline") || "");
  var help = deadline && document.getElementById(deadline.id + "_helptext");

  // The earliest deadline the date picker offers: now, in the chosen zone.
  function nowIn(zone) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-CA", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit"
      }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
    } catch (error) {
      return "";
    }
  }

  function update() {
    var option = select.options[select.selectedIndex];
    if (!option) return;
    if (help) help.textContent = "Date and time in your time zone, now " + option.text + ".";
    var min = deadline && nowIn(option.value);
    if (min) deadline.setAttribute("min", min);
  }

  select.addEventListener("change", update);
  update();
})();
