// Reads a credential for `viewzenix credentials set NAME` from stdin: typed without echo on a terminal, or
// piped (`printf %s "$TOKEN" | viewzenix credentials set tunnel:ngrok:authtoken`). Never from argv, which every
// user of the machine can read (ps, /proc/<pid>/cmdline), and never printed back.
import type { Readable, Writable } from 'node:stream';

const MAX_BYTES = 8192;

export async function readSecretFromStdin(prompt: string, input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown } = process.stdin, promptTo: Writable = process.stderr): Promise<string> {
  if (input.isTTY && input.setRawMode) return readHidden(prompt, input as NodeJS.ReadStream, promptTo);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_BYTES) throw new Error(`The value on stdin is longer than ${MAX_BYTES} bytes.`);
    chunks.push(b);
  }
  // One trailing line break (from `echo` or a file) is not part of the value.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function readHidden(prompt: string, input: NodeJS.ReadStream, promptTo: Writable): Promise<string> {
  promptTo.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      promptTo.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
