/**
 * The frame every email shares: the tenant's name and receipt header on top, the body, the receipt
 * footer and (for notifications) an unsubscribe line at the bottom, as HTML and as plain text. Simple
 * tables and inline styles, because that is what mail clients render. Pure.
 */
export interface Brand {
  /** the tenant's name from its settings (the platform's own name for platform mail) */
  name: string;
  header?: string;
  footer?: string;
  /** absolute base for links, e.g. https://pos.example.com */
  publicUrl: string;
}

export interface Frame {
  brand: Brand;
  /** a short line under the name: what this message is */
  title: string;
  html: string;
  text: string;
  /** notifications only: where one click unsubscribes */
  unsubscribeUrl?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Text with line breaks kept. */
export function paragraphs(s: string): string {
  return s
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p style="margin:0 0 12px">${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** An absolute link from a path the outbox stored ("/admin") or a URL it stored whole. */
export function absolute(brand: Brand, pathOrUrl: string): string {
  if (/^https?:\/\//.test(pathOrUrl)) return pathOrUrl;
  return `${brand.publicUrl.replace(/\/$/, '')}/${pathOrUrl.replace(/^\//, '')}`;
}

export function button(href: string, label: string): string {
  return `<p style="margin:16px 0"><a href="${esc(href)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${esc(label)}</a></p>`;
}

const lines = (s: string | undefined) => (s ?? '').split('\n').map((l) => l.trim()).filter(Boolean);

export function frame(f: Frame): { html: string; text: string } {
  const header = lines(f.brand.header);
  const footer = lines(f.brand.footer);
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(f.title)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;font-family:Helvetica,Arial,sans-serif;color:#111827">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;padding:24px 0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;padding:24px">
<tr><td style="text-align:center;padding-bottom:12px;border-bottom:1px solid #e5e7eb">
<div style="font-size:22px;font-weight:700">${esc(f.brand.name)}</div>
${header.map((l) => `<div style="font-size:13px;color:#4b5563">${esc(l)}</div>`).join('\n')}
<div style="font-size:14px;color:#374151;margin-top:6px">${esc(f.title)}</div>
</td></tr>
<tr><td style="padding-top:16px;font-size:15px;line-height:1.5">
${f.html}
</td></tr>
${footer.length ? `<tr><td style="padding-top:16px;border-top:1px solid #e5e7eb;text-align:center;font-size:13px;color:#4b5563">${footer.map(esc).join('<br>')}</td></tr>` : ''}
${f.unsubscribeUrl ? `<tr><td style="padding-top:16px;text-align:center;font-size:12px;color:#6b7280">You get these because of your notification settings at ${esc(f.brand.name)}. <a href="${esc(f.unsubscribeUrl)}" style="color:#6b7280">Unsubscribe</a></td></tr>` : ''}
</table></td></tr></table>
</body></html>`;
  const text = [
    f.brand.name,
    ...header,
    f.title,
    '',
    f.text.trim(),
    ...(footer.length ? ['', ...footer] : []),
    ...(f.unsubscribeUrl ? ['', `Unsubscribe: ${f.unsubscribeUrl}`] : [])
  ].join('\n');
  return { html, text: `${text}\n` };
}
