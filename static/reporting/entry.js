/* 产改通 · the entry grid and the report page.
 *
 * - Totals: subtotals, row totals, column totals and "parts add up to the total" checks,
 *   recomputed as the user types (for display only; the server checks every value again).
 * - Keyboard: Tab / Shift+Tab move along a row (the browser's own order), Enter / Shift+Enter and
 *   the up / down arrows move to the same column in the next / previous row, Ctrl+S saves,
 *   Alt+C opens the comment of the focused cell.
 * - No lost work: the edits are saved to the server a few seconds after the user stops typing and
 *   when the page is hidden or closed (the same version-checked save as the button); every change
 *   is also kept in localStorage under the report and version, and offered back when the page is
 *   opened again (for a save that could not reach the server); leaving with unsaved edits warns.
 * No inline script or style anywhere (the content security policy forbids both).
 */
(function () {
  "use strict";

  var FULL_WIDTH = /[\uFF01-\uFF5E]/g;
  var SPACES = /[\s\u00a0\u3000\u202f\u2007]/g;
  var NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

  function messagesTemplate() {
    return document.getElementById("entry-messages");
  }

  function text(name, values) {
    var holder = messagesTemplate();
    var template = (holder && holder.dataset[name]) || "";
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values && key in values ? String(values[key]) : "";
    });
  }

  /* A typed value as a number, the way people type it (1,234 / １２３ / 85% / ¥100 / 100元); NaN otherwise. */
  function parseNumber(raw) {
    if (raw === null || raw === undefined) return NaN;
    var value = String(raw).replace(FULL_WIDTH, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    });
    value = value.replace(SPACES, "").replace(/^¥/, "").replace(/[%元]$/, "");
    if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value)) value = value.replace(/,/g, "");
    if (!NUMBER.test(value)) return NaN;
    return Number(value);
  }

  function format(number) {
    if (number === null || isNaN(number)) return "—";
    var rounded = Math.round(number * 10000) / 10000;
    return rounded.toLocaleString("zh-CN", { maximumFractionDigits: 4 });
  }

  function wan(number) {
    var value = Math.round((number / 10000) * 100) / 100;
    return value.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + "万";
  }

  /* The element holding one cell's value: the input (entry) or the shown value (read-only). */
  function cellValue(el) {
    if (!el) return "";
    if (el.matches("input, select, textarea")) return el.value;
    return el.dataset.value || "";
  }

  function numberOf(el) {
    var raw = cellValue(el).trim();
    if (raw === "") return null;
    return parseNumber(raw);
  }

  function sum(elements) {
    var total = 0;
    var any = false;
    elements.forEach(function (el) {
      var n = numberOf(el);
      if (n !== null && !isNaN(n)) {
        total += n;
        any = true;
      }
    });
    return any ? total : null;
  }

  function byName(grid, name) {
    return grid.querySelector('[name="' + CSS.escape(name) + '"]') || grid.querySelector('[data-name="' + CSS.escape(name) + '"]');
  }

  function numericCells(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll("[data-num]"));
  }

  function recompute(grid) {
    grid.querySelectorAll("tr[data-grid-row][data-summable]").forEach(function (row) {
      var cells = numericCells(row);
      row.querySelectorAll("output[data-subtotal]").forEach(function (out) {
        var group = out.dataset.subtotal;
        out.textContent = format(sum(cells.filter(function (c) { return c.dataset.group === group; })));
      });
      var total = row.querySelector("output[data-row-total]");
      if (total) total.textContent = format(sum(cells));
    });
    grid.querySelectorAll("tr[data-column-totals]").forEach(function (footer) {
      var table = footer.closest("table");
      var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-grid-row][data-summable]"));
      footer.querySelectorAll("output[data-col-sum]").forEach(function (out) {
        var index = out.closest("td").cellIndex;
        var total = 0;
        var any = false;
        rows.forEach(function (row) {
          var td = row.cells[index];
          if (!td) return;
          var n = null;
          var field = td.querySelector("[data-num]");
          if (field) n = numberOf(field);
          else {
            var shown = td.querySelector("output");
            n = shown && shown.textContent !== "—" ? parseNumber(shown.textContent) : null;
          }
          if (n !== null && !isNaN(n)) {
            total += n;
            any = true;
          }
        });
        out.textContent = any ? format(total) : "—";
      });
    });
    grid.querySelectorAll("tr[data-check]").forEach(function (check) {
      var totals = check.dataset.totals.split(" ").map(function (n) { return byName(grid, n); });
      var parts = check.dataset.parts.split(" ").map(function (n) { return byName(grid, n); });
      var totalSum = sum(totals.filter(Boolean));
      var partSum = sum(parts.filter(Boolean));
      check.querySelector("output[data-check-total]").textContent = format(totalSum);
      check.querySelector("output[data-check-parts]").textContent = format(partSum);
      var verdict = check.querySelector(".check-verdict");
      check.classList.remove("check-ok", "check-bad");
      if (totalSum === null || partSum === null) {
        verdict.textContent = "";
      } else if (Math.abs(totalSum - partSum) < 1e-6) {
        check.classList.add("check-ok");
        verdict.textContent = "✓ " + text("ok");
      } else {
        check.classList.add("check-bad");
        verdict.textContent = "✗ " + text("mismatch");
      }
    });
    grid.querySelectorAll("input[data-num]").forEach(function (input) {
      var raw = input.value.trim();
      var n = raw === "" ? null : parseNumber(raw);
      var bad = n !== null && isNaN(n);
      input.classList.toggle("cell-unparsed", bad);
      input.title = bad ? text("unparsed") : "";
      // Large figures are easy to mistype by a zero: echo them grouped and in 万.
      var echo = input.closest(".grid-cell").querySelector(".cell-echo");
      if (echo) echo.textContent = n !== null && !bad && Math.abs(n) >= 10000 ? format(n) + "（" + wan(n) + "）" : "";
    });
  }

  /* --- keyboard ------------------------------------------------------------------------------ */

  function gridRows(form) {
    return Array.prototype.slice
      .call(form.querySelectorAll("tr[data-grid-row]"))
      .map(function (row) { return Array.prototype.slice.call(row.querySelectorAll(".cell-input")); })
      .filter(function (inputs) { return inputs.length > 0; });
  }

  function moveVertical(form, field, step) {
    var rows = gridRows(form);
    for (var r = 0; r < rows.length; r += 1) {
      var c = rows[r].indexOf(field);
      if (c === -1) continue;
      var target = rows[r + step];
      if (!target) return false;
      var next = target[Math.min(c, target.length - 1)];
      next.focus();
      if (next.select) next.select();
      return true;
    }
    return false;
  }

  /* --- drafts kept in the browser ------------------------------------------------------------------ */

  function storage() {
    try {
      var probe = "__changai_probe__";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function draftKeys(store, prefix) {
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(prefix + ".v") === 0) keys.push(key);
    }
    return keys;
  }

  function setupEntry(form) {
    var grid = form.querySelector("[data-grid]");
    var editable = form.dataset.editable === "1";
    var store = storage();
    var prefix = form.dataset.draftKey;
    var versionField = document.getElementById("entry-version");
    var originalField = document.getElementById("entry-original");
    var original = {};
    try { original = JSON.parse(originalField.value || "{}"); } catch (e) { original = {}; }
    var submitting = false;
    var timer = null;

    function inputs() {
      return Array.prototype.slice.call(form.querySelectorAll(".cell-input"));
    }

    function dirtyFields() {
      return inputs().filter(function (el) { return (original[el.name] || "") !== el.value; });
    }

    function draftKey() {
      return prefix + ".v" + versionField.value;
    }

    function refreshDirty() {
      var dirty = dirtyFields();
      inputs().forEach(function (el) { el.classList.toggle("is-dirty", dirty.indexOf(el) !== -1); });
      var state = document.getElementById("dirty-state");
      if (state) state.textContent = dirty.length ? text("dirty", { n: dirty.length }) : text("clean");
      return dirty;
    }

    function keepDraft() {
      if (!store) return;
      var dirty = refreshDirty();
      if (!dirty.length) {
        store.removeItem(draftKey());
        return;
      }
      var record = { savedAt: new Date().toISOString(), version: versionField.value, values: {}, original: {} };
      dirty.forEach(function (el) {
        record.values[el.name] = el.value;
        record.original[el.name] = original[el.name] || "";
      });
      try { store.setItem(draftKey(), JSON.stringify(record)); } catch (e) { /* storage full: nothing to do */ }
    }

    function offerRestore() {
      if (!store) return;
      var saved = form.dataset.savedVersion;
      if (saved) {
        store.removeItem(prefix + ".v" + saved);
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", window.location.pathname + window.location.hash);
        }
      }
      var best = null;
      draftKeys(store, prefix).forEach(function (key) {
        var record = null;
        try { record = JSON.parse(store.getItem(key)); } catch (e) { record = null; }
        if (!record || !record.values) { store.removeItem(key); return; }
        var differing = Object.keys(record.values).filter(function (name) {
          var el = form.querySelector('[name="' + CSS.escape(name) + '"]');
          return el && el.value !== record.values[name];
        });
        if (!differing.length) { store.removeItem(key); return; }
        record.key = key;
        record.count = differing.length;
        if (!best || record.savedAt > best.savedAt) best = record;
      });
      if (!best || form.dataset.hasError) return;
      var banner = document.getElementById("restore-banner");
      var when = new Date(best.savedAt).toLocaleString("zh-CN", { hour12: false });
      var same = String(best.version) === versionField.value;
      document.getElementById("restore-text").textContent = same
        ? text("restoreSame", { time: when, n: best.count })
        : text("restoreOld", { time: when, n: best.count, version: best.version });
      banner.classList.remove("d-none");
      document.getElementById("restore-apply").addEventListener("click", function () {
        if (!same) {
          // Saving against the version the edits were made on lets the server detect what changed since.
          Object.keys(best.original).forEach(function (name) { original[name] = best.original[name]; });
          originalField.value = JSON.stringify(original);
          store.removeItem(best.key);
          versionField.value = best.version;
        }
        Object.keys(best.values).forEach(function (name) {
          var el = form.querySelector('[name="' + CSS.escape(name) + '"]');
          if (el) el.value = best.values[name];
        });
        banner.classList.add("d-none");
        recompute(grid);
        keepDraft();
      });
      document.getElementById("restore-discard").addEventListener("click", function () {
        store.removeItem(best.key);
        banner.classList.add("d-none");
      });
    }

    /* --- saving to the server in the background ------------------------------------------------ */

    var autosaveDelay = parseInt(form.dataset.autosaveMs || "3000", 10);
    var autosaveTimer = null;
    var inFlight = false;
    var again = false;
    var submitAfter = false;
    var conflicted = false;

    function csrfToken() {
      var field = form.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

    function setStatus(message, kind) {
      var state = document.getElementById("autosave-state");
      if (!state) return;
      state.textContent = message;
      state.className = "small " + (kind === "error" ? "text-danger" : kind === "ok" ? "text-success" : "text-body-secondary");
    }

    function showCellError(el, message) {
      var wrap = el.closest(".grid-cell");
      if (!wrap) return;
      var box = wrap.querySelector(".cell-error");
      if (!box) {
        box = document.createElement("div");
        box.className = "invalid-feedback d-block cell-error";
        box.id = "err-" + el.id;
        el.closest(".grid-cell-line").insertAdjacentElement("afterend", box);
      }
      box.textContent = message;
      el.classList.add("is-invalid");
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", box.id);
      wrap.classList.add("has-error");
    }

    function clearCellError(el) {
      var wrap = el.closest(".grid-cell");
      if (!wrap) return;
      var box = wrap.querySelector(".cell-error");
      if (box) box.remove();
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      wrap.classList.remove("has-error");
    }

    function showOutliers(found) {
      // Outlier warnings come from the server's rule (reporting/validation.py) for the saved values.
      inputs().forEach(function (el) {
        var wrap = el.closest(".grid-cell");
        if (!wrap) return;
        var note = wrap.querySelector("[data-outlier]");
        var message = found[el.name];
        if (!message) {
          if (note) note.remove();
          wrap.classList.remove("is-outlier");
          return;
        }
        if (!note) {
          note = document.createElement("div");
          note.className = "cell-note cell-outlier";
          note.setAttribute("data-outlier", "");
          wrap.appendChild(note);
        }
        note.textContent = text("outlierPrefix") + message;
        wrap.classList.add("is-outlier");
      });
    }

    function autosave(leaving) {
      window.clearTimeout(autosaveTimer);
      // Off (0) on the page that shows a conflict: the user decides with the buttons first.
      if (submitting || conflicted || autosaveDelay <= 0) return;
      var dirty = dirtyFields();
      if (!dirty.length) return;
      if (inFlight) {
        again = true;
        return;
      }
      var sent = {};
      dirty.forEach(function (el) { sent[el.name] = el.value; });
      var body = new FormData(form);
      body.append("autosave", "1");
      body.delete("base_version");
      inFlight = true;
      setStatus(text("autosaving"));
      var request = fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: !!leaving,
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      });
      request
        .then(function (response) {
          return response.json().then(
            function (data) { return { status: response.status, data: data }; },
            function () { return { status: response.status, data: {} }; }
          );
        })
        .then(function (answer) {
          inFlight = false;
          var data = answer.data || {};
          var thenSubmit = submitAfter;
          submitAfter = false;
          if (answer.status === 200 && data.ok) {
            if (store) store.removeItem(draftKey());
            versionField.value = data.version;
            form.dataset.version = data.version;
            Object.keys(data.values || {}).forEach(function (name) {
              var el = form.querySelector('[name="' + CSS.escape(name) + '"]');
              original[name] = data.values[name];
              if (!el) return;
              clearCellError(el);
              // Show the stored form (1,234 → 1234) unless the user is still typing in that cell.
              if (el.value === sent[name] && document.activeElement !== el) el.value = data.values[name];
            });
            originalField.value = JSON.stringify(original);
            // The valid edits are saved; a refused cell keeps what was typed and says why, next to it.
            var refused = data.problems || {};
            inputs().forEach(function (el) {
              if (el.name in refused) showCellError(el, refused[el.name]);
            });
            if (data.outliers) showOutliers(data.outliers);
            recompute(grid);
            keepDraft();
            setStatus(data.message, Object.keys(refused).length ? "error" : "ok");
          } else if (answer.status === 409 && data.conflict) {
            conflicted = true;
            setStatus(text("autosaveConflict"), "error");
            var alert = document.getElementById("autosave-conflict");
            if (alert) {
              alert.querySelector("[data-message]").textContent = data.message;
              alert.classList.remove("d-none");
            }
          } else {
            setStatus(data.message || text("autosaveFailed"), "error");
          }
          if (thenSubmit) {
            again = false;
            if (form.requestSubmit) form.requestSubmit(); else form.submit();
          } else if (again) {
            again = false;
            schedule();
          }
        })
        .catch(function () {
          inFlight = false;
          setStatus(text("autosaveFailed"), "error");
          if (submitAfter) {
            submitAfter = false;
            if (form.requestSubmit) form.requestSubmit(); else form.submit();
          }
        });
    }

    function schedule() {
      window.clearTimeout(autosaveTimer);
      if (autosaveDelay > 0) autosaveTimer = window.setTimeout(function () { autosave(false); }, autosaveDelay);
    }

    recompute(grid);
    if (!editable) return;
    offerRestore();
    refreshDirty();

    form.addEventListener("input", function (event) {
      if (!event.target.classList.contains("cell-input")) return;
      recompute(grid);
      window.clearTimeout(timer);
      timer = window.setTimeout(keepDraft, 300);
      schedule();
    });
    form.addEventListener("change", function () {
      keepDraft();
      schedule();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") autosave(true);
    });
    window.addEventListener("pagehide", function () { autosave(true); });
    var conflictSave = document.getElementById("autosave-conflict-save");
    if (conflictSave) {
      conflictSave.addEventListener("click", function () {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    }

    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (!field.classList || !field.classList.contains("cell-input")) return;
      var isText = field.tagName === "TEXTAREA";
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.altKey && !isText) {
        event.preventDefault();
        moveVertical(form, field, event.shiftKey ? -1 : 1);
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !isText && field.tagName !== "SELECT") {
        if (moveVertical(form, field, event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
      } else if (event.altKey && (event.key === "c" || event.key === "C")) {
        var button = field.closest(".grid-cell").querySelector("[data-comment-for]");
        if (button) {
          event.preventDefault();
          button.click();
        }
      }
    });

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        keepDraft();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });

    form.addEventListener("submit", function (event) {
      keepDraft();
      if (inFlight) {
        // Let the background save finish first: the button then saves against the version it made.
        event.preventDefault();
        submitAfter = true;
        return;
      }
      submitting = true;
      var state = document.getElementById("dirty-state");
      if (state) state.textContent = text("saving");
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || !dirtyFields().length) return;
      event.preventDefault();
      event.returnValue = "";
    });

    document.querySelectorAll("[data-discard-draft]").forEach(function (link) {
      link.addEventListener("click", function () {
        submitting = true;
        if (store) draftKeys(store, prefix).forEach(function (key) { store.removeItem(key); });
      });
    });
    // "检查并提交" with unsaved edits saves them first (the server then goes on to the report page).
    document.querySelectorAll("[data-leave-check]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        keepDraft();
        if (!dirtyFields().length) return;
        event.preventDefault();
        var next = document.createElement("input");
        next.type = "hidden";
        next.name = "next";
        next.value = "detail";
        form.appendChild(next);
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });

    setupComments(form);
  }

  /* --- comments ------------------------------------------------------------------------------------- */

  function setupComments(form) {
    var modalEl = document.getElementById("comment-modal");
    if (!modalEl) return;
    var lastField = null;
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-comment-for]");
      if (!button) return;
      lastField = button.closest(".grid-cell").querySelector(".cell-input");
      document.getElementById("comment-cell").value = button.dataset.commentFor;
      document.getElementById("comment-label").textContent = button.dataset.label;
      document.getElementById("comment-text").value = button.dataset.comment || "";
      var feedback = document.getElementById("comment-feedback");
      if (feedback) feedback.innerHTML = "";
      window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
    });
    modalEl.addEventListener("shown.bs.modal", function () { document.getElementById("comment-text").focus(); });
    modalEl.addEventListener("hidden.bs.modal", function () { if (lastField) lastField.focus(); });
    document.body.addEventListener("htmx:afterSwap", function () {
      if (document.querySelector("#comment-feedback [data-comment-saved]")) {
        window.setTimeout(function () { window.bootstrap.Modal.getOrCreateInstance(modalEl).hide(); }, 600);
      }
    });
  }

  /* --- the report page ------------------------------------------------------------------------------ */

  function setupDetail() {
    var counter = document.getElementById("picked-count");
    if (counter) {
      document.addEventListener("change", function (event) {
        if (!event.target.classList.contains("cell-pick")) return;
        counter.textContent = document.querySelectorAll(".cell-pick:checked").length;
      });
    }
  }

  /* --- shared --------------------------------------------------------------------------------------- */

  function setupShared() {
    // Forms that must go once (a double click is one request; the server also replays by key).
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) {
          event.preventDefault();
          return;
        }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.classList.add("disabled"); });
      });
    });
    // Messages that point at a cell move the focus there.
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-focus]");
      if (!link) return;
      var target = document.getElementById(link.dataset.focus);
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        if (target.focus) target.focus();
      }
    });
    // htmx leaves 4xx answers unswapped by default; ours carry the Chinese message to show.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var status = event.detail.xhr.status;
      var source = event.detail.elt;
      if ([400, 409, 413].indexOf(status) !== -1 && source && source.closest("[data-htmx-errors-swap]")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    var error = document.getElementById("save-error") || document.getElementById("action-error");
    if (error) error.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupShared();
    var form = document.getElementById("entry-form");
    if (form) setupEntry(form);
    else document.querySelectorAll("[data-grid]").forEach(recompute);
    setupDetail();
  });
})();
