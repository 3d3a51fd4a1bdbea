// Email over SMTP with nodemailer. The server, port and addresses come from the channel settings; the password is
// the vault entry notify:email, read by the dispatcher at send time and never stored. The password only ever
// travels encrypted: `secure: true` is TLS from the first byte (port 465), `secure: false` requires STARTTLS and
// gives up before AUTH when the server does not offer it. SMTP reply codes decide what happens next: 4xx is
// temporary (the dispatcher retries with backoff), 5xx is permanent (dead-lettered with the reason).
import nodemailer from 'nodemailer';
import type { Channel, SendContext } from './channel.js';
import type { ChannelSettings, NotifyMessage, SendOutcome } from '../types.js';
import { truncate } from './http.js';

export interface SmtpTransportOptions {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  auth: { user: string; pass: string };
  tls: { rejectUnauthorized: boolean; minVersion: 'TLSv1.2' };
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: Record<string, string>;
}

export interface MailTransport {
  sendMail(mail: OutgoingMail): Promise<unknown>;
  close(): void;
}

export type TransportFactory = (smtp: SmtpTransportOptions) => MailTransport;

/** The real transport: one SMTP connection per message, no logging (the AUTH exchange would be in it). */
export const nodemailerTransport: TransportFactory = (smtp) =>
  nodemailer.createTransport({ ...smtp, logger: false, debug: false, disableFileAccess: true, disableUrlAccess: true });

export interface EmailChannelOptions {
  transport?: TransportFactory;
  /**
   * Tests only: accept the local test server's self-signed certificate. Not reachable from the channel settings
   * (their schema refuses unknown fields), so a configured agent always verifies the server's certificate.
   */
  testOnlyTrustSelfSigned?: boolean;
  timeoutMs?: number;
}

export function emailSubject(m: NotifyMessage): string {
  return truncate(`[Viewzenix] ${m.title}`.replace(/[\r\n]+/g, ' '), 200);
}

export function emailText(m: NotifyMessage): string {
  return [m.title, '', ...m.lines, '', ...m.fields.map((f) => `${f.name}: ${f.value}`), '', `${m.kind} at ${m.at}`].join('\n');
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/** The server's reply line, fit for the outbox: one line, short, without the password in any form it was sent in. */
function serverText(e: SmtpError, user: string, pass: string): string {
  let text = (e.response ?? '').replace(/[\r\n]+/g, ' ').trim();
  for (const v of [pass, Buffer.from(pass).toString('base64'), Buffer.from(`\0${user}\0${pass}`).toString('base64')]) if (v) text = text.split(v).join('[redacted]');
  return truncate(text, 200);
}

/** Maps a nodemailer failure to what the dispatcher should do, in words that name the fix. */
export function smtpOutcome(err: unknown, user: string, pass: string): SendOutcome & { ok: false } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply = serverText(e, user, pass).replace(/^\d{3}[ -]?/, '');
  const said = code !== undefined ? `${code}${reply ? ` ${reply}` : ''}` : '';
  // TLS first: a refused STARTTLS also carries a reply code, but the fix is the connection, not the message.
  if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(e.message ?? '')) {
    return { ok: false, retryable: false, error: 'The SMTP server\'s TLS certificate was not accepted (untrusted, expired or for another host name). Check the host name in the email settings.' };
  }
  if (e.code === 'ETLS' || e.command === 'STARTTLS') {
    return { ok: false, retryable: false, error: 'No encrypted connection to the SMTP server (STARTTLS missing or refused); the password is never sent unencrypted. Use the TLS port with secure: true, or a server that offers STARTTLS.' };
  }
  if (e.code === 'EAUTH') {
    return { ok: false, retryable: code !== undefined && code < 500, error: `The SMTP server refused the login for ${user}${said ? ` (${said})` : ''}. Check the user in the email settings and the password in the vault (notify:email).` };
  }
  if (code !== undefined && code >= 400 && code < 500) return { ok: false, retryable: true, error: `SMTP server answered ${said} (temporary)` };
  if (code !== undefined && code >= 500) return { ok: false, retryable: false, error: `SMTP server refused the message (${said}). Check the from/to addresses in the email settings.` };
  const sys = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE)\b/.exec(e.message ?? '')?.[1];
  if (sys || ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED'].includes(e.code ?? '')) {
    return { ok: false, retryable: true, error: `SMTP server not reachable (${sys ?? e.code})` };
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { ok: false, retryable: false, error: `SMTP refused the message (${e.code}). Check the from/to addresses in the email settings.` };
  return { ok: false, retryable: true, error: `SMTP failed${e.code ? ` (${e.code})` : ''}` };
}

export class EmailChannel implements Channel {
  readonly name = 'email';
  readonly secretName = 'notify:email';
  private readonly transport: TransportFactory;

  constructor(private readonly o: EmailChannelOptions = {}) {
    this.transport = o.transport ?? nodemailerTransport;
  }

  unavailable(settings: Pick<ChannelSettings, 'smtp'>): string | undefined {
    return settings.smtp ? undefined : 'No SMTP server is configured for email (settings.smtp: host, port, secure, from, to).';
  }

  async send(m: NotifyMessage, ctx: SendContext): Promise<SendOutcome> {
    const smtp = ctx.settings.smtp;
    if (!smtp) return { ok: false, retryable: false, error: this.unavailable(ctx.settings)! };
    // Most providers log in with the sending address when no separate user name is set.
    const user = smtp.user ?? smtp.from;
    const timeout = this.o.timeoutMs ?? 20_000;
    const transport = this.transport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: !smtp.secure,
      auth: { user, pass: ctx.secret },
      tls: { rejectUnauthorized: this.o.testOnlyTrustSelfSigned !== true, minVersion: 'TLSv1.2' },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
    });
    try {
      await transport.sendMail({
        from: smtp.from,
        to: smtp.to,
        subject: emailSubject(m),
        text: emailText(m),
        // RFC 3834: an automatic message; mail servers must not answer it with vacation replies.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Viewzenix-Kind': m.kind },
      });
      return { ok: true };
    } catch (err) {
      return smtpOutcome(err, user, ctx.secret);
    } finally {
      transport.close();
    }
  }
}
