/** Helpers shared by the signed-note code (not exported from the package). */

/** Splits at the first `sep`, like Go's `chop`: the rest keeps later separators. */
export function chop(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** Valid UTF-8 with no ASCII control characters other than newline. */
export function isValidNoteText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return false;
  }
  return !hasLoneSurrogate(s);
}

/** A key or signature name: non-empty, valid UTF-8, no spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 && !/[\s\u0085+]/u.test(name) && !hasLoneSurrogate(name)
  );
}
