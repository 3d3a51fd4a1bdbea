// A real SMTP server (the smtp-server package) on 127.0.0.1 that requires AUTH, offers STARTTLS with its
// built-in self-signed certificate (or no STARTTLS at all), records every accepted message, and answers with
// the reply codes `plan` scripts: '421' (temporary, at MAIL FROM) or '550' (permanent, at RCPT TO).
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export type SmtpPlanned = 'ok' | '421' | '550';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA exactly as it came over the wire (headers and encoded body). */
  raw: string;
  /** Header name (lower case) → unfolded, decoded value. */
  headers: Record<string, string>;
  /** The body with its Content-Transfer-Encoding undone. */
  text: string;
}

export interface FakeSmtp {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** Every AUTH attempt, with whether it was accepted (the password itself is not kept). */
  logins: { user: string; accepted: boolean; secure: boolean }[];
  /** Answers for the next transactions, in order; afterwards every message is accepted. */
  plan: SmtpPlanned[];
  close(): Promise<void>;
}

class SmtpReply extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

function decodeWords(v: string): string {
  return v.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
  );
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const src = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    const hex = src.slice(i + 1, i + 3);
    if (src[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(src[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits a single-part message into unfolded headers and a decoded body. */
export function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const text = cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : cte === 'quoted-printable' ? decodeQp(body) : body;
  return { headers, text };
}

export async function fakeSmtp(o: { user: string; password: string; startTls?: boolean }): Promise<FakeSmtp> {
  let current: SmtpPlanned | undefined;
  const fake: FakeSmtp = { host: '127.0.0.1', port: 0, received: [], logins: [], plan: [], close: async () => {} };
  const server = new SMTPServer({
    // Without STARTTLS the server still demands AUTH, so a client that would log in over plaintext is caught.
    disabledCommands: o.startTls === false ? ['STARTTLS'] : [],
    allowInsecureAuth: o.startTls === false,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 1024 * 1024,
    logger: false,
    onAuth(auth, session, cb) {
      const accepted = auth.username === o.user && auth.password === o.password;
      fake.logins.push({ user: auth.username ?? '', accepted, secure: session.secure });
      if (!accepted) return cb(new SmtpReply('Authentication credentials invalid', 535));
      cb(null, { user: auth.username });
    },
    onMailFrom(_address, _session, cb) {
      current = fake.plan.shift();
      if (current === '421') return cb(new SmtpReply('Service not available, try again later', 421));
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (current === '550') return cb(new SmtpReply(`Mailbox unavailable: ${address.address}`, 550));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const env = session.envelope;
        fake.received.push({ from: env.mailFrom ? env.mailFrom.address : '', to: env.rcptTo.map((r) => r.address), raw, ...parseMail(raw) });
        cb(null, 'Queued');
      });
    },
  });
  server.on('error', () => {
    /* a client hanging up mid-session is not a test failure */
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.port = (server.server.address() as AddressInfo).port;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
