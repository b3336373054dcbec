/* The SPARQL query page: syntax highlighting over the textarea, example loading, Ctrl+Enter.
   A small self-written highlighter (no library, no CDN): a <pre> behind a transparent textarea
   shows the same text with coloured tokens. The textarea stays the real form control, so the
   page works the same without JavaScript and for screen readers. */
(function () {
  "use strict";

  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED AS " +
    "ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING VALUES OPTIONAL UNION MINUS GRAPH SERVICE SILENT " +
    "FILTER BIND EXISTS NOT IN UNDEF A TRUE FALSE SEPARATOR COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT " +
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE " +
    "ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS " +
    "TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM " +
    "ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE").split(" ");
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { KEYWORD_SET[k] = true; });

  var TOKEN = new RegExp([
    "(#[^\\n\\r]*)",                                                   // 1 comment
    "(<[^<>\"{}|^`\\\\\\u0000-\\u0020]*>)",                              // 2 IRI
    "('''[\\s\\S]*?'''|\"\"\"[\\s\\S]*?\"\"\"|'(?:[^'\\\\\\n]|\\\\.)*'|\"(?:[^\"\\\\\\n]|\\\\.)*\")", // 3 string
    "([?$][A-Za-z0-9_\\u00B7\\u00C0-\\uFFFF]+)",                         // 4 variable
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                                   // 5 language tag
    "((?:[A-Za-z\\u00C0-\\uFFFF][\\w.\\-\\u00C0-\\uFFFF]*)?:[\\w.\\-:%\\u00C0-\\uFFFF]*)", // 6 prefixed name
    "(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",                             // 7 number
    "([A-Za-z_][A-Za-z0-9_]*)"                                           // 8 word
  ].join("|"), "g");
  var CLASSES = [null, "tok-comment", "tok-iri", "tok-string", "tok-var", "tok-lang", "tok-pname", "tok-number", null];

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var out = [];
    var last = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[0] === "") { TOKEN.lastIndex += 1; continue; }
      out.push(escapeHtml(text.slice(last, match.index)));
      var cls = null;
      for (var i = 1; i < match.length; i += 1) {
        if (match[i] !== undefined) {
          cls = CLASSES[i];
          if (i === 8) { cls = KEYWORD_SET[match[i].toUpperCase()] ? "tok-keyword" : null; }
          break;
        }
      }
      var piece = escapeHtml(match[0]);
      out.push(cls ? '<span class="' + cls + '">' + piece + "</span>" : piece);
      last = TOKEN.lastIndex;
    }
    out.push(escapeHtml(text.slice(last)));
    // a trailing newline needs one more line in the <pre> to keep both boxes the same height
    return out.join("") + "\n";
  }

  function queryKind(text) {
    var stripped = text.replace(/#[^\n\r]*/g, " ").replace(/<[^<>\s]*>/g, " ");
    var match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
    return match && /^(CONSTRUCT|DESCRIBE)$/i.test(match[1]) ? "graph" : "solutions";
  }

  function init() {
    var editor = document.querySelector("[data-sparql-editor]");
    if (!editor) { return; }
    var textarea = editor.querySelector("textarea");
    var code = editor.querySelector("code");
    var pre = editor.querySelector("pre");
    var form = textarea.form;
    document.documentElement.classList.add("sparql-js");
    editor.classList.add("sparql-editor-enhanced");

    function render() {
      code.innerHTML = highlight(textarea.value);
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
      var kind = queryKind(textarea.value);
      form.querySelectorAll("[data-format-kind]").forEach(function (button) {
        var graph = button.getAttribute("data-format-kind") === "graph";
        button.hidden = graph !== (kind === "graph");
      });
    }

    textarea.addEventListener("input", render);
    textarea.addEventListener("scroll", function () {
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById("sparql-run").click();
      } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && textarea.dataset.tabIndent) {
        event.preventDefault();
        textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
        render();
      }
    });

    document.querySelectorAll("[data-example-query]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        textarea.value = link.getAttribute("data-example-query");
        render();
        textarea.focus();
        textarea.setSelectionRange(0, 0);
        textarea.scrollTop = 0;
      });
    });

    render();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
