// The organisation picker (orgs/pickers.py): a text input that searches organisations as you type.
// Follows the WAI-ARIA 1.2 combobox pattern with a listbox popup: the input keeps focus, the active option is
// named by aria-activedescendant; ArrowDown/ArrowUp move, Enter chooses, Escape closes (a second Escape clears).
// A chosen organisation is posted by its code in a hidden input of the field's name; typing again posts the
// text itself, which the server resolves as a name, short name, pinyin initials or code. Without this script
// the input is a plain text field and the server does the same.
(function () {
  "use strict";

  var DELAY = 200;

  function setup(root) {
    var input = root.querySelector("input");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[data-org-picker-status]");
    if (!input || !list || root.hasAttribute("data-org-picker-ready")) {
      return;
    }
    root.setAttribute("data-org-picker-ready", "");
    var fieldName = input.name;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.setAttribute("data-org-picker-code", "");
    root.appendChild(hidden);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var results = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;
    var cache = {};
    var pending = null;

    function say(text) {
      status.textContent = text;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        var on = i === index;
        options[i].setAttribute("aria-selected", on ? "true" : "false");
        options[i].classList.toggle("active", on);
        if (on) {
          input.setAttribute("aria-activedescendant", options[i].id);
          options[i].scrollIntoView({ block: "nearest" });
        }
      }
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var org = results[index];
      if (!org) {
        return;
      }
      input.value = org.name;
      input.removeAttribute("name");
      hidden.name = fieldName;
      hidden.value = org.code;
      root.setAttribute("data-chosen", org.code);
      close();
      say(org.name + " " + org.kind_label);
      input.dispatchEvent(new CustomEvent("org-picker:chosen", { bubbles: true, detail: org }));
    }

    function typedAgain() {
      if (hidden.name) {
        hidden.removeAttribute("name");
        hidden.value = "";
        input.name = fieldName;
        root.removeAttribute("data-chosen");
      }
    }

    function render(data) {
      results = data.results || [];
      list.textContent = "";
      active = -1;
      results.forEach(function (org, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.className = "org-picker-option";
        var name = document.createElement("span");
        name.className = "org-picker-name";
        name.textContent = org.name;
        var kind = document.createElement("span");
        kind.className = "org-picker-kind badge rounded-pill text-bg-light border";
        kind.textContent = org.kind_label;
        var meta = document.createElement("span");
        meta.className = "org-picker-meta";
        meta.textContent = (org.parent ? root.getAttribute("data-parent") + org.parent + " · " : "") + org.code;
        item.appendChild(name);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(kind);
        item.appendChild(meta);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input
        });
        item.addEventListener("click", function () {
          choose(i);
        });
        list.appendChild(item);
      });
      if (!results.length) {
        var empty = document.createElement("li");
        empty.className = "org-picker-empty";
        empty.textContent = root.getAttribute("data-none");
        list.appendChild(empty);
        say(root.getAttribute("data-none"));
      } else {
        say(root.getAttribute("data-count").replace("{n}", String(results.length)));
      }
      if (data.more) {
        var more = document.createElement("li");
        more.className = "org-picker-more";
        more.textContent = root.getAttribute("data-more");
        list.appendChild(more);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function search() {
      var query = input.value.trim();
      if (!query) {
        lastQuery = null;
        close();
        return;
      }
      if (query === lastQuery && !list.hidden) {
        return;
      }
      lastQuery = query;
      if (cache[query]) {
        render(cache[query]);
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var url = root.getAttribute("data-url") + "&q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: pending.signal })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          cache[query] = data;
          if (input.value.trim() === query) {
            render(data);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            close();
            say(root.getAttribute("data-failed"));
          }
        });
    }

    input.addEventListener("input", function () {
      typedAgain();
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && results.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) {
          lastQuery = null;
          search();
        } else if (results.length) {
          highlight(active + 1 >= results.length ? 0 : active + 1);
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active <= 0 ? results.length - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault(); // choose, don't submit
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          typedAgain();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  function setupAll(scope) {
    var roots = (scope || document).querySelectorAll("[data-org-picker]");
    for (var i = 0; i < roots.length; i++) {
      setup(roots[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setupAll(document);
    });
  } else {
    setupAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    setupAll(event.target);
  });
})();
