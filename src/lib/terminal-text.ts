/**
 * Text bound for a terminal, made inert. Names, titles, messages and errors that came from Mux or
 * a pipeline can carry control characters: an ESC or CSI sequence (C0 `\x1b`, C1 `\x9b`) that
 * moves the cursor, clears or rewrites the screen, retitles the window or hides text; a carriage
 * return or backspace that overwrites what came before; a bidi override or isolate (U+202A–U+202E,
 * U+2066–U+2069) that reorders what the reader sees. None of them survives.
 */

/**
 * C0 but `\n`, DEL, C1, the bidi marks, embeddings, overrides and isolates, and the Unicode line
 * and paragraph separators.
 */
function isUnsafe(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Each unsafe character of `text` replaced by what `as` makes of it. */
function replaceUnsafe(text: string, as: (code: number) => string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafe(code)) continue;
    out += text.slice(start, i) + as(code);
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** Strips every unsafe character; `\n` (the only one the CLI itself writes between lines) stays. */
export function terminalText(text: string): string {
  return replaceUnsafe(text, () => "");
}

/**
 * JSON text for a terminal: the same document, with every unsafe character that JSON.stringify
 * leaves raw (DEL, C1, bidi, U+2028/9) written as a `\uXXXX` escape instead. JSON's structure is
 * ASCII, so such a character can only sit inside a string, where the escape means the same.
 */
export function terminalJson(json: string): string {
  // Raw C0 cannot occur in JSON.stringify's output, and its newlines between members stay.
  return replaceUnsafe(json, (code) => `\\u${code.toString(16).padStart(4, "0")}`);
}
