// The small rich-text editor of written reports and cases: a contenteditable area with a few buttons (bold, italic,
// lists, a subheading, a table) that writes its HTML into the section's textarea when the form is sent.
// Without JavaScript the textarea stays and takes plain text (blank lines make paragraphs). The server
// cleans whatever arrives (core.richtext), so this only shapes the text, it guards nothing.
(function () {
  "use strict";

  var BUTTONS = [
    { command: "bold", label: "粗体", text: "B" },
    { command: "italic", label: "斜体", text: "I" },
    { command: "underline", label: "下划线", text: "U" },
    { command: "insertUnorderedList", label: "项目符号列表", text: "• 列表" },
    { command: "insertOrderedList", label: "编号列表", text: "编号" },
    { command: "formatBlock", value: "h3", label: "小标题", text: "标题" },
    { command: "formatBlock", value: "p", label: "正文段落", text: "正文" },
    { command: "table", label: "插入表格", text: "表格" }
  ];

  function tableHtml(rows, cols) {
    var html = "<table><tbody>";
    for (var r = 0; r < rows; r++) {
      html += "<tr>";
      for (var c = 0; c < cols; c++) { html += r === 0 ? "<th>&nbsp;</th>" : "<td>&nbsp;</td>"; }
      html += "</tr>";
    }
    return html + "</tbody></table><p><br></p>";
  }

  function run(area, button) {
    area.focus();
    if (button.command === "table") {
      var rows = parseInt(window.prompt("表格行数（含表头）", "3"), 10);
      var cols = parseInt(window.prompt("表格列数", "3"), 10);
      if (rows > 0 && cols > 0 && rows <= 50 && cols <= 20) {
        document.execCommand("insertHTML", false, tableHtml(rows, cols));
      }
      return;
    }
    document.execCommand(button.command, false, button.value || null);
  }

  function enhance(textarea) {
    var holder = textarea.closest(".richtext");
    var form = textarea.form;
    if (!holder || !form) { return; }
    var toolbar = document.createElement("div");
    toolbar.className = "btn-toolbar gap-1 mb-1 richtext-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "格式");
    var area = document.createElement("div");
    area.className = "form-control richtext-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    var label = form.querySelector("label[for='" + textarea.id + "']");
    if (label) { area.setAttribute("aria-label", label.textContent.trim()); }
    // The server cleaned this markup before storing it (core.richtext), so it may be shown as it is.
    area.innerHTML = holder.getAttribute("data-html") || "";
    BUTTONS.forEach(function (button) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-secondary";
      b.textContent = button.text;
      b.title = button.label;
      b.setAttribute("aria-label", button.label);
      b.addEventListener("mousedown", function (event) { event.preventDefault(); });
      b.addEventListener("click", function () { run(area, button); });
      toolbar.appendChild(b);
    });
    textarea.hidden = true;
    holder.insertBefore(toolbar, textarea);
    holder.insertBefore(area, textarea);
    form.addEventListener("submit", function () {
      textarea.value = area.innerHTML;
      var format = form.querySelector("[data-richtext-format]");
      if (format) { format.value = "html"; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers */ }
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-richtext]"), enhance);
  });
})();
