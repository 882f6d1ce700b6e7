import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export interface Mail {
  to: string;
  from: string;
  subject: string;
  body: string;
  messageId: string;
  date: Date;
  headers?: Record<string, string>;
}

/**
 * Email and SMS "sent" by SNS, as files a user can read: `<data-dir>/services/sns/outbox/email/*.eml`
 * (RFC 5322 text) and `outbox/sms/*.txt`. Names are the time and a random id, never the
 * address, and each file is written whole (temporary file, then rename).
 */
export class Outbox {
  constructor(readonly root: string) {}

  writeEmail(mail: Mail): string {
    const headers: Record<string, string> = {
      From: mail.from,
      To: mail.to,
      Subject: mail.subject,
      Date: mail.date.toUTCString().replace('GMT', '+0000'),
      'Message-ID': `<${mail.messageId}@sns.slipway>`,
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=UTF-8',
      ...mail.headers,
    };
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${oneLine(v)}`).join('\r\n');
    return this.write('email', `${stamp(mail.date)}-${randomUUID()}.eml`, `${head}\r\n\r\n${mail.body.replace(/\r?\n/g, '\r\n')}\r\n`);
  }

  writeSms(to: string, text: string, messageId: string, date: Date): string {
    return this.write('sms', `${stamp(date)}-${randomUUID()}.txt`, `To: ${oneLine(to)}\nDate: ${date.toISOString()}\nMessage-ID: ${messageId}\n\n${text}\n`);
  }

  wipe(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private write(kind: string, name: string, text: string): string {
    const dir = join(this.root, kind);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, name);
    const temp = `${file}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
    return file;
  }
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
