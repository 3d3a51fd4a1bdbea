// Email over SMTP through nodemailer, which is not a dependency yet: the channel reports itself unavailable
// until it is installed, and nothing is queued for it meanwhile. The transport is an interface so the
// channel can be tested and swapped without the library.
import type { Channel, SendContext } from './channel.js';
import type { NotifyMessage, SendOutcome } from '../types.js';

export interface MailTransport {
  sendMail(mail: { from: string; to: string[]; subject: string; text: string }): Promise<unknown>;
}

export type TransportFactory = (smtp: { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } }) => MailTransport;

/** Loads nodemailer if it is installed; undefined otherwise. */
export async function loadNodemailer(): Promise<TransportFactory | undefined> {
  const name = 'nodemailer'; // a variable: the type checker must not require the package
  try {
    const mod = (await import(name)) as { default?: { createTransport: TransportFactory }; createTransport?: TransportFactory };
    const create = mod.createTransport ?? mod.default?.createTransport;
    return create ? (smtp) => create(smtp) : undefined;
  } catch {
    return undefined;
  }
}

export function emailText(m: NotifyMessage): string {
  return [m.title, '', ...m.lines, '', ...m.fields.map((f) => `${f.name}: ${f.value}`), '', `${m.kind} at ${m.at}`].join('\n');
}

export class EmailChannel implements Channel {
  readonly name = 'email';
  readonly secretName = 'notify:email';
  constructor(private factory: TransportFactory | undefined) {}

  setFactory(factory: TransportFactory | undefined): void {
    this.factory = factory;
  }

  unavailable(settings: { smtp?: unknown }): string | undefined {
    if (!this.factory) return 'Email is not available: the nodemailer package is not installed in this build.';
    if (!settings.smtp) return 'No SMTP server is configured for email.';
    return undefined;
  }

  async send(m: NotifyMessage, ctx: SendContext): Promise<SendOutcome> {
    const smtp = ctx.settings.smtp;
    if (!this.factory || !smtp) return { ok: false, retryable: false, error: this.unavailable(ctx.settings) ?? 'Email is not available.' };
    try {
      const transport = this.factory({ host: smtp.host, port: smtp.port, secure: smtp.secure, auth: smtp.user ? { user: smtp.user, pass: ctx.secret } : undefined });
      await transport.sendMail({ from: smtp.from, to: smtp.to, subject: `[Viewzenix] ${m.title}`, text: emailText(m) });
      return { ok: true };
    } catch (err) {
      const e = err as { responseCode?: number; code?: string };
      // SMTP 4xx are temporary by definition; 5xx (bad address, auth refused) are not.
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      return { ok: false, retryable: !permanent, error: `SMTP failed${e.responseCode ? ` (${e.responseCode})` : e.code ? ` (${e.code})` : ''}` };
    }
  }
}
