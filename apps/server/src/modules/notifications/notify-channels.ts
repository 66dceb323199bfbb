// The two ways out: SMTP (nodemailer; STARTTLS or TLS, auth from <portcullis><smtp> and a password
// file or the environment) and an HTTP POST of JSON (Slack's incoming webhook, custom-* webhooks).
// Every attempt has a time limit; a refusal or a timeout is an error message, never a hang.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { EmailGlobal, Integration, SmtpSettings } from './notify-config.js';
import type { MailPayload } from './notify-format.js';

export interface MailSettings {
  email: EmailGlobal;
  smtp: SmtpSettings;
  /** The config's folder, for a relative <password_file> or <ca_file>. */
  home: string;
  /** PORTCULLIS_SMTP_PASSWORD. */
  envPassword: string | null;
  timeoutMs: number;
}

export class SendError extends Error {}

function smtpPassword(s: MailSettings): string | undefined {
  if (s.smtp.passwordFile !== null) {
    const path = resolve(s.home, s.smtp.passwordFile);
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new SendError(`cannot read <smtp><password_file> ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return s.envPassword ?? undefined;
}

/**
 * The Message-ID of an outbox row's mail: the same on every attempt, so a mail sent again after a
 * crash (or after a relay took it but its answer was lost) is recognisably the same message.
 */
export function messageIdOf(rowId: number, createdAt: number, from: string | null): string {
  const domain = from?.split('@')[1]?.replace(/\.$/, '') || 'portcullis.invalid';
  return `<portcullis.${rowId}.${createdAt}@${domain}>`;
}

/** Sends one mail; resolves with the server's reply, rejects with a SendError saying why. */
export async function sendMail(s: MailSettings, to: string[], mail: MailPayload, messageId?: string): Promise<string> {
  const { email, smtp } = s;
  if (email.smtpServer === null || email.from === null) throw new SendError('no <smtp_server> or <email_from> in <global>');
  const password = smtp.user !== null ? smtpPassword(s) : undefined;
  if (smtp.user !== null && password === undefined) throw new SendError('<smtp><user> is set but there is no password: <password_file> or PORTCULLIS_SMTP_PASSWORD');
  let ca: Buffer | undefined;
  if (smtp.caFile !== null) {
    const path = resolve(s.home, smtp.caFile);
    try {
      ca = readFileSync(path);
    } catch (err) {
      throw new SendError(`cannot read <smtp><ca_file> ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  const transport = nodemailer.createTransport({
    host: email.smtpServer,
    port: smtp.port ?? (smtp.tls ? 465 : 25),
    secure: smtp.tls,
    requireTLS: smtp.starttls === true,
    ignoreTLS: smtp.starttls === false,
    ...(smtp.user !== null ? { auth: { user: smtp.user, pass: password } } : {}),
    tls: { rejectUnauthorized: !smtp.insecureTls, ...(ca ? { ca } : {}) },
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
  });
  const headers: Record<string, string> = {};
  if (email.idsname) headers['X-IDS-OSSEC'] = email.idsname;
  try {
    const info = await transport.sendMail({
      from: email.from, to, subject: mail.subject, text: mail.text, headers,
      ...(messageId ? { messageId } : {}),
      ...(email.replyTo ? { replyTo: email.replyTo } : {}),
    });
    return String((info as { response?: string }).response ?? 'sent');
  } catch (err) {
    const e = err as Error & { response?: string; code?: string };
    throw new SendError(`${email.smtpServer}: ${e.response ?? e.message}${e.code && !(e.response ?? e.message).includes(e.code) ? ` (${e.code})` : ''}`);
  } finally {
    transport.close();
  }
}

/**
 * POSTs JSON; a 2xx answer is delivered, anything else (or no answer in time) is an error.
 * `idempotency`: headers that are the same on every attempt of one delivery (X-Portcullis-Delivery),
 * so a receiver can drop a resend.
 */
export async function postJson(i: Integration, body: unknown, timeoutMs: number, idempotency: Record<string, string> = {}): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Portcullis', ...idempotency };
  if (i.apiKey !== null && i.kind === 'custom') headers.authorization = `Bearer ${i.apiKey}`;
  let res: Response;
  try {
    res = await fetch(i.hookUrl, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : e.cause?.code ?? e.cause?.message ?? e.message;
    throw new SendError(`${new URL(i.hookUrl).host}: ${why}`);
  }
  const text = (await res.text().catch(() => '')).slice(0, 200);
  if (!res.ok) throw new SendError(`${new URL(i.hookUrl).host}: HTTP ${res.status}${text ? ` ${text}` : ''}`);
  return `HTTP ${res.status}`;
}
