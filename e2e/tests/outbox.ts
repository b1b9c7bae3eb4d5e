/**
 * Reads the emails the server writes as .eml files to <data dir>/outbox/ (no SMTP configured).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';

export interface Mail {
  file: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

async function readAll(dataDir: string): Promise<Mail[]> {
  const dir = join(dataDir, 'outbox');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  const mails: Mail[] = [];
  for (const name of names) {
    const parsed: ParsedMail = await simpleParser(await readFile(join(dir, name)));
    mails.push({
      file: name,
      to: addresses(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
    });
  }
  return mails;
}

/** Waits for an email to `to` whose body has a link to `path` (e.g. `/verify-email`) and returns that link. */
export async function waitForLink(dataDir: string, to: string, path: string, timeoutMs = 10_000): Promise<string> {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The token is URL-safe text; stop at anything else (quotes, brackets, Japanese punctuation).
  const pattern = new RegExp(`https?://[^\\s"'<>]+?${escaped}\\?token=[A-Za-z0-9._~%=-]+`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const mail of await readAll(dataDir)) {
      if (!mail.to.includes(to.toLowerCase())) continue;
      const match = mail.text.match(pattern) ?? mail.html.match(pattern);
      if (match) return match[0];
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const seen = (await readAll(dataDir)).map((m) => `${m.file} to=${m.to.join(',')} subject=${m.subject}`);
  throw new Error(`no email to ${to} with a ${path} link within ${timeoutMs} ms; outbox: ${seen.join(' | ') || '(empty)'}`);
}

/**
 * Waits until at least `count` emails to `to` have a subject containing `subject`, and returns
 * all of them (oldest first).
 */
export async function waitForMails(
  dataDir: string,
  to: string,
  subject: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<Mail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readAll(dataDir)).filter((m) => m.to.includes(to.toLowerCase()) && m.subject.includes(subject));
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      const seen = (await readAll(dataDir)).map((m) => `${m.file} to=${m.to.join(',')} subject=${m.subject}`);
      throw new Error(
        `fewer than ${count} emails to ${to} with subject "${subject}" within ${timeoutMs} ms; outbox: ${seen.join(' | ') || '(empty)'}`,
      );
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
