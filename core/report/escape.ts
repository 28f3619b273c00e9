// Escaping for the HTML report: every user string (messages hold file paths and user code) goes
// through one of these before it reaches the page.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON text safe inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes
 * (they only occur inside JSON strings, where the escapes mean the same), so no `</script>` or
 * `<!--` in a message can end or confuse the element; U+2028/2029 for older JS parsers.
 */
export function jsonForScript(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Inline JavaScript safe inside `<script>`: a `</script` or `<!--` in a string literal would end or
 * change the element; `<\/script` and `<\!--` mean the same in JS strings. Code (not strings)
 * never contains them, so the rewrite is harmless.
 */
export function scriptForHtml(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
