// The alert body as received, and a re-indented view of it that changes no value. JSON.parse + stringify would
// drop a repeated key ("action" twice), rewrite 1.10 as 1.1 and round long prices to a double, so the trader could
// not check the agent's reason against the screen. This view only moves whitespace between JSON tokens.

/**
 * The body re-indented, every token (key, string, number, literal) copied as written, duplicates kept; undefined
 * when the body is not a JSON object or array, or not well-formed (then only the raw text is shown).
 */
export function indentJsonText(raw: string, indent = '  '): string | undefined {
  const body = raw.trim();
  if (!body.startsWith('{') && !body.startsWith('[')) return undefined;
  let out = '';
  let depth = 0;
  const stack: string[] = [];
  let i = 0;
  const newline = (): string => `\n${indent.repeat(depth)}`;
  while (i < body.length) {
    const c = body[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      if (j >= body.length) return undefined;
      out += body.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? '}' : ']');
      // An empty object or array stays on one line.
      let k = i + 1;
      while (k < body.length && /\s/.test(body[k]!)) k++;
      if (body[k] === stack[stack.length - 1]) {
        out += c + body[k]!;
        stack.pop();
        i = k + 1;
        continue;
      }
      depth++;
      out += c + newline();
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      if (stack.pop() !== c) return undefined;
      depth--;
      out += newline() + c;
      i++;
      continue;
    }
    if (c === ',') {
      if (stack.length === 0) return undefined;
      out += ',' + newline();
      i++;
      continue;
    }
    if (c === ':') {
      out += ': ';
      i++;
      continue;
    }
    // A number or literal: copied character for character up to the next delimiter.
    const m = /^[-+0-9.eEa-zA-Z]+/.exec(body.slice(i, i + 400));
    if (!m) return undefined;
    out += m[0];
    i += m[0].length;
  }
  if (stack.length !== 0) return undefined;
  return out;
}
