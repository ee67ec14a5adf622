// The warning before a signed-in session ends, and what was typed kept across signing in
// again (WCAG 2.2.1 Timing Adjustable). Loaded on every staff page by
// templates/admin/portal/staff_tools.html and on every page of the carers' own area by
// templates/carers/my/_layout.html; no inline script (the Content Security Policy forbids
// it), no framework. The page's look comes from data attributes: data-prefix names the
// dialog's ids and classes, data-look is "admin" (Django admin buttons and messages) or
// "govuk" (GOV.UK Frontend buttons and an inset notice).
//
// The server says how many seconds the session has left (data-expires-in: idle time, or
// the longest a session may last, whichever ends first; every request starts the idle
// time again). Some minutes before the end (data-warn-before) a dialog says when the
// session ends and offers "Stay signed in", which POSTs to data-extend-url: that request
// itself renews the session, and the answer says how long it now lasts. Nothing is sent
// to the server unless the person presses the button.
//
// When the session ends, the forms on the page are written to this tab's sessionStorage
// (never passwords or files) and the dialog offers to sign in again; after signing in the
// staff area brings the person back to the same address, where the saved values are put
// back once and then deleted. Saved values are kept only for the same person, only until
// the next page of the same kind opens in this tab, and at most an hour.
(function () {
  "use strict";

  var script = document.getElementById("session-warning");
  if (!script || !window.HTMLDialogElement) {
    return;
  }
  var PREFIX = script.dataset.prefix || "staff-session";
  var GOVUK = script.dataset.look === "govuk";
  var KEY = PREFIX + "-saved-forms";
  var KEEP_MS = 60 * 60 * 1000;
  // The server counts whole seconds: the page says the session has ended only once the
  // server is sure to agree.
  var GRACE_MS = 2000;
  var data = script.dataset;
  var warnBefore = parseInt(data.warnBefore, 10) * 1000;
  var endsAt = Date.now() + parseInt(data.expiresIn, 10) * 1000;
  var timers = [];
  var ended = false;
  var dialog, heading, message, stayButton, signInLink, status, returnFocus;

  function clockTime(ms) {
    return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function minutesLeft() {
    var minutes = Math.max(1, Math.ceil((endsAt - Date.now()) / 60000));
    return minutes === 1 ? "1 minute" : minutes + " minutes";
  }

  // -- keeping and restoring what was typed ------------------------------------------------

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      var type = (field.type || "").toLowerCase();
      return (
        field.name &&
        !field.disabled &&
        field.name !== "csrfmiddlewaretoken" &&
        ["hidden", "password", "file", "submit", "button", "reset", "image"].indexOf(type) === -1
      );
    });
  }

  function caseForms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      return (
        (form.method || "").toLowerCase() === "post" &&
        !form.closest("#header") &&
        !form.hasAttribute("data-session-warning-skip")
      );
    });
  }

  function saveForms() {
    var forms = caseForms().map(function (form) {
      return fieldsOf(form).map(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          return [field.name, field.value, field.checked];
        }
        if (field.multiple) {
          var chosen = Array.prototype.filter.call(field.options, function (option) {
            return option.selected;
          });
          return [field.name, chosen.map(function (option) { return option.value; })];
        }
        return [field.name, field.value];
      });
    });
    var typed = forms.some(function (fields) { return fields.length; });
    if (!typed) {
      return false;
    }
    try {
      sessionStorage.setItem(
        KEY,
        JSON.stringify({ user: data.user, path: location.pathname + location.search, at: Date.now(), forms: forms })
      );
    } catch (error) {
      return false;
    }
    return true;
  }

  function restoreForms() {
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
    } catch (error) {
      return;
    }
    if (
      !saved ||
      saved.user !== data.user ||
      saved.path !== location.pathname + location.search ||
      Date.now() - saved.at > KEEP_MS
    ) {
      return;
    }
    var forms = caseForms();
    var restored = 0;
    saved.forms.forEach(function (fields, index) {
      var form = forms[index];
      if (!form) {
        return;
      }
      fields.forEach(function (entry) {
        var name = entry[0];
        fieldsOf(form).forEach(function (field) {
          if (field.name !== name) {
            return;
          }
          if (field.type === "checkbox" || field.type === "radio") {
            if (field.value === entry[1]) {
              field.checked = entry[2];
            }
          } else if (field.multiple && Array.isArray(entry[1])) {
            Array.prototype.forEach.call(field.options, function (option) {
              option.selected = entry[1].indexOf(option.value) !== -1;
            });
          } else if (field.value !== entry[1]) {
            field.value = entry[1];
            restored += 1;
          }
        });
      });
    });
    if (restored) {
      var said = "What you typed before you were signed out has been put back. Check it, then save.";
      var notice;
      if (GOVUK) {
        var main = document.getElementById("main-content") || document.body;
        notice = document.createElement("div");
        notice.className = "govuk-inset-text";
        notice.setAttribute("role", "status");
        notice.textContent = said;
        main.insertBefore(notice, main.firstChild);
      } else {
        var content = document.getElementById("content") || document.body;
        notice = document.createElement("ul");
        notice.className = "messagelist";
        notice.innerHTML = "<li class=\"warning\" role=\"status\"></li>";
        notice.firstChild.textContent = said;
        content.parentNode.insertBefore(notice, content);
      }
      notice.id = PREFIX + "-restored";
    }
  }

  // -- the dialog ---------------------------------------------------------------------------

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = PREFIX + "-dialog";
    dialog.id = PREFIX + "-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", PREFIX + "-title");
    dialog.setAttribute("aria-describedby", PREFIX + "-message");
    heading = document.createElement("h2");
    heading.id = PREFIX + "-title";
    if (GOVUK) {
      heading.className = "govuk-heading-m";
    }
    heading.tabIndex = -1;
    heading.textContent = "You will be signed out soon";
    message = document.createElement("p");
    message.id = PREFIX + "-message";
    if (GOVUK) {
      message.className = "govuk-body";
    }
    var buttons = document.createElement("div");
    buttons.className = GOVUK ? "govuk-button-group" : PREFIX + "-dialog__buttons";
    stayButton = document.createElement("button");
    stayButton.type = "button";
    stayButton.className = GOVUK ? "govuk-button" : "button default";
    stayButton.textContent = "Stay signed in";
    stayButton.addEventListener("click", stay);
    signInLink = document.createElement("a");
    signInLink.className = GOVUK ? "govuk-button govuk-button--secondary" : "button";
    signInLink.textContent = "Sign in again";
    signInLink.href = data.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
    buttons.appendChild(stayButton);
    buttons.appendChild(signInLink);
    dialog.appendChild(heading);
    dialog.appendChild(message);
    dialog.appendChild(buttons);
    dialog.addEventListener("close", function () {
      if (returnFocus && document.contains(returnFocus)) {
        returnFocus.focus();
      }
    });
    status = document.createElement("div");
    status.className = GOVUK ? "govuk-visually-hidden" : PREFIX + "-status";
    status.setAttribute("role", "status");
    document.body.appendChild(dialog);
    document.body.appendChild(status);
  }

  function open(focusTarget) {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
    focusTarget.focus();
  }

  function warn() {
    if (ended) {
      return;
    }
    heading.textContent = "You will be signed out soon";
    signInLink.hidden = true;
    if (Date.now() >= endsAt + GRACE_MS) {
      return end();
    }
    message.textContent =
      "To keep records safe, you will be signed out in about " + minutesLeft() +
      ", at " + clockTime(endsAt) + ", unless you stay signed in. Anything you have typed " +
      "and not saved is kept in this tab if you are signed out.";
    stayButton.hidden = false;
    open(stayButton);
  }

  function end() {
    ended = true;
    clear();
    var kept = saveForms();
    heading.textContent = "You have been signed out";
    message.textContent =
      "To keep records safe, you were signed out at " + clockTime(endsAt) + ". " +
      (kept
        ? "What you typed on this page is kept in this browser tab: sign in again and it will be put back."
        : "Sign in again to carry on.");
    stayButton.hidden = true;
    signInLink.hidden = false;
    open(heading);
  }

  function stay() {
    stayButton.disabled = true;
    fetch(data.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": data.csrf, Accept: "application/json" },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        if (!response.ok || !json) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (answer) {
        stayButton.disabled = false;
        endsAt = Date.now() + answer.expires_in * 1000;
        if (endsAt - Date.now() <= warnBefore) {
          // The longest a session may last: it cannot be made longer.
          heading.textContent = "Your session cannot be made longer";
          message.textContent =
            "You have been signed in for as long as a session may last. Save your work: you " +
            "will be signed out at " + clockTime(endsAt) + ".";
          stayButton.hidden = true;
          schedule(false);
          return;
        }
        dialog.close();
        status.textContent = "You are still signed in, until " + clockTime(endsAt) + " if you do nothing.";
        schedule(true);
      })
      .catch(function () {
        stayButton.disabled = false;
        end();
      });
  }

  function clear() {
    timers.forEach(clearTimeout);
    timers = [];
  }

  function schedule(withWarning) {
    clear();
    var left = endsAt - Date.now();
    if (withWarning) {
      timers.push(setTimeout(warn, Math.max(0, left - warnBefore)));
    }
    timers.push(setTimeout(end, Math.max(0, left + GRACE_MS)));
  }

  function check() {
    // Timers may be held back while the tab is hidden or the computer sleeps.
    if (!ended && Date.now() >= endsAt + GRACE_MS) {
      end();
    }
  }

  restoreForms();
  build();
  schedule(true);
  document.addEventListener("visibilitychange", check);
  // A form sent after the session has ended comes back to the sign-in page: keep it first.
  document.addEventListener(
    "submit",
    function () {
      if (Date.now() >= endsAt + GRACE_MS) {
        saveForms();
      }
    },
    true
  );
})();
