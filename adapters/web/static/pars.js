// PARS pages work without this script; with it: uploads show progress and their result in place,
// the completion form checks the learner match as you type, and the year picker submits itself.
(function () {
  "use strict";

  function csrf(form) {
    var field = form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  // Batch uploads: XMLHttpRequest, because fetch() reports no upload progress.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector('input[type="file"]');
      if (!input || !input.files.length) { return; }  // let the server say what is missing
      event.preventDefault();
      var box = form.querySelector(".progress");
      var bar = box.querySelector("progress");
      var text = box.querySelector(".progress-text");
      var result = form.parentNode.querySelector(".upload-result");
      var button = form.querySelector('button[type="submit"]');
      box.hidden = false; bar.value = 0; text.textContent = "Uploading…"; button.disabled = true;
      var uploadId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + "-" + String(Math.random()).slice(2);
      var polling = null;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "pars");
      xhr.setRequestHeader("X-CSRF-Token", csrf(form));
      xhr.setRequestHeader("X-Upload-Id", uploadId);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round(100 * e.loaded / e.total);
          text.textContent = "Uploading… " + bar.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");  // indeterminate until the server reports stored rows
        text.textContent = "Checking and saving the rows…";
        var progressUrl = form.action.replace(/\/uploads\/[a-z]+$/, "/uploads/progress/") + uploadId;
        polling = setInterval(function () {
          fetch(progressUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
            if (p.total > 0 && polling) {
              bar.value = Math.round(100 * p.done / p.total);
              text.textContent = "Saved " + p.done.toLocaleString() + " of " + p.total.toLocaleString() + " rows…";
            }
          }).catch(function () {});
        }, 500);
      });
      xhr.addEventListener("loadend", function () { clearInterval(polling); polling = null; });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        bar.value = 100;
        text.textContent = xhr.status < 400 ? "Done." : "The file was not accepted.";
        result.innerHTML = xhr.responseText;
        var heading = result.querySelector("h3, .field-error");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        text.textContent = "The upload failed (network). Try again.";
      });
      xhr.send(new FormData(form));
    });
  });

  // Learner completion: ask the match service after a pause in typing.
  document.querySelectorAll("form[data-match]").forEach(function (form) {
    var status = form.querySelector("[data-match-status]");
    var names = ["first_name", "last_name", "birth_date", "state", "licence_number", "npi", "board", "board_id"];
    var timer = null;
    function check() {
      var body = new URLSearchParams();
      names.forEach(function (n) { var el = form.elements[n]; if (el && el.value.trim()) { body.append(n, el.value.trim()); } });
      if (!Array.from(body.keys()).length) { status.textContent = ""; return; }
      fetch(form.getAttribute("data-match"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf(form) }
      }).then(function (r) { return r.json(); }).then(function (answer) {
        status.className = "match " + (answer.status === "matched" ? "matched" : answer.status === "incomplete" ? "" : "unmatched");
        status.textContent = answer.status === "matched" ? "✓ Matched: " + answer.msg
          : answer.status === "incomplete" ? "Keep typing: " + answer.msg : "✗ Not matched: " + answer.msg;
      }).catch(function () { status.textContent = ""; });
    }
    names.forEach(function (n) {
      var el = form.elements[n];
      if (el) { el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 350); }); }
    });
  });

  // Phones: the menu folds behind its button (without this script it stays open).
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    toggle.hidden = false;
    toggle.parentNode.classList.add("folding");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }

  // Tables reflow into cards on a phone: each cell is named by its column's heading (a template may name it).
  document.querySelectorAll("table").forEach(function (table) {
    var heads = Array.from(table.querySelectorAll("thead th")).map(function (th) { return th.getAttribute("data-label") || th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.from(row.children).forEach(function (cell, i) {
        if (!cell.hasAttribute("data-label") && heads[i] && !cell.hasAttribute("colspan")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  });

  // Bulk close: one box ticks every activity ready to close on the page (without this script, tick each).
  document.querySelectorAll("p.select-all").forEach(function (row) {
    var all = row.querySelector("input");
    var boxes = row.closest("form").querySelectorAll('tbody input[type="checkbox"][name="activity_ids"]');
    if (!boxes.length) { return; }
    row.hidden = false;
    all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); });
  });

  // The error summary after a failed save: focus on it (the page's autofocus does the same without this
  // script), and each of its links moves focus to its field, opening a folded section that holds it.
  var summary = document.getElementById("error-summary");
  if (summary) {
    if (document.activeElement !== summary) { summary.focus(); }
    summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        var folded = target.closest("details");
        if (folded) { folded.open = true; }
        var label = document.querySelector('label[for="' + target.id + '"]');
        (label || target).scrollIntoView();
        target.focus();
      });
    });
  }

  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;  // without the script the browser's own Print still prints the page as it is
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
