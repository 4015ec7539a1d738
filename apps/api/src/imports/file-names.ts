/** True when the text holds a C0 control character (U+0000 to U+001F), which no file name may. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
