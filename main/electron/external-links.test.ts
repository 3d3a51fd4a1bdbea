import { describe, expect, it } from 'vitest';
import { checkExternalUrl, openExternalSafely } from './external-links.js';

const HOSTILE: [string, unknown][] = [
  ['javascript: URL', 'javascript:alert(document.cookie)'],
  ['javascript: URL in capitals', 'JAVASCRIPT:alert(1)'],
  ['javascript: URL with leading space', ' javascript:alert(1)'],
  ['vbscript: URL', 'vbscript:msgbox(1)'],
  ['file: URL', 'file:///etc/passwd'],
  ['file: URL on Windows', 'file:///C:/Windows/System32/calc.exe'],
  ['UNC path', '\\\\attacker\\share\\payload.exe'],
  ['data: URL', 'data:text/html,<script>alert(1)</script>'],
  ['blob: URL', 'blob:https://example.com/uuid'],
  ['smb: URL', 'smb://attacker.example/share'],
  ['ms-msdt: handler (Follina)', 'ms-msdt:/id PCWDiagnostic /skip force'],
  ['search-ms: handler', 'search-ms:query=invoice&crumb=location:\\\\attacker\\share'],
  ['custom scheme', 'viewzenix://halt'],
  ['ftp: URL', 'ftp://example.com/file'],
  ['mailto: URL', 'mailto:someone@example.com'],
  ['scheme-relative URL', '//example.com/path'],
  ['http without slashes', 'https:example.com'],
  ['backslashes after scheme', 'https:\\\\example.com'],
  ['credentials in URL', 'https://user:pass@example.com/'],
  ['user only in URL', 'https://user@example.com/'],
  ['host spoof with @', 'https://tradingview.com@evil.example/'],
  ['empty host', 'https:///path'],
  ['single-label host', 'http://intranet/'],
  ['underscore in host', 'https://exa_mple.com/'],
  ['label starting with a hyphen', 'https://-evil.example.com/'],
  ['numeric TLD (mangled IP)', 'http://1.2.3.4.5/'],
  ['IPv4 with octet over 255', 'http://300.1.1.1/'],
  ['loopback: the agent control UI with its token', 'http://127.0.0.1:4781/#token=secret'],
  ['localhost', 'http://localhost:4781/'],
  ['sub.localhost', 'http://app.localhost/'],
  ['IPv6 loopback', 'http://[::1]:4781/'],
  ['unspecified address', 'http://0.0.0.0:4781/'],
  ['link-local metadata address', 'http://169.254.169.254/latest/meta-data/'],
  ['decimal-encoded loopback', 'http://2130706433/'],
  ['embedded newline', 'https://example.com/\nfile:///etc/passwd'],
  ['embedded tab', 'https://exa\tmple.com/'],
  ['trailing space', 'https://example.com/ '],
  ['NUL byte', 'https://example.com/\u0000'],
  ['too long', `https://example.com/${'a'.repeat(3000)}`],
  ['empty string', ''],
  ['not a string: object', { toString: () => 'https://example.com/' }],
  ['not a string: number', 42],
  ['not a string: null', null],
  ['not a string: undefined', undefined],
];

const SAFE: [string, string][] = [
  ['https docs page', 'https://www.tradingview.com/support/solutions/43000529348/'],
  ['http page', 'http://example.com/'],
  ['https with port, query and fragment', 'https://docs.example.org:8443/a/b?c=d#e'],
  ['public IPv4', 'https://93.184.215.14/'],
  ['IDN host (punycoded by the parser)', 'https://bücher.example/'],
];

describe('checkExternalUrl', () => {
  it.each(HOSTILE)('refuses %s', (_name, url) => {
    const verdict = checkExternalUrl(url);
    expect(verdict.ok).toBe(false);
  });

  it.each(SAFE)('accepts %s', (_name, url) => {
    const verdict = checkExternalUrl(url);
    expect(verdict).toMatchObject({ ok: true });
  });

  it('hands on the normalised URL, not the raw string', () => {
    expect(checkExternalUrl('HTTPS://Example.COM/a%20b')).toEqual({ ok: true, href: 'https://example.com/a%20b' });
    expect(checkExternalUrl('https://bücher.example/')).toEqual({ ok: true, href: 'https://xn--bcher-kva.example/' });
  });
});

describe('openExternalSafely', () => {
  it('never calls the opener for a hostile URL and resolves false', async () => {
    const opened: string[] = [];
    for (const [, url] of HOSTILE) {
      expect(await openExternalSafely(url, async (href) => void opened.push(href))).toBe(false);
    }
    expect(opened).toEqual([]);
  });

  it('opens a safe URL once and resolves true', async () => {
    const opened: string[] = [];
    expect(await openExternalSafely('https://example.com/docs', async (href) => void opened.push(href))).toBe(true);
    expect(opened).toEqual(['https://example.com/docs']);
  });

  it('resolves false instead of throwing when the OS refuses to open', async () => {
    await expect(
      openExternalSafely('https://example.com/', async () => {
        throw new Error('no handler');
      }),
    ).resolves.toBe(false);
  });
});
