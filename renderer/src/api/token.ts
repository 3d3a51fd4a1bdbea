// Where the control token comes from: the URL fragment the agent printed (#token=…), kept in sessionStorage so a
// reload works and the token leaves the address bar at once; or the desktop shell's preload.
const TOKEN_KEY = 'viewzenix.token';

interface DesktopBridge {
  getControl?: () => Promise<unknown>;
}
declare global {
  interface Window {
    viewzenix?: { controlToken?: string };
    viewzenixDesktop?: DesktopBridge;
  }
}

/** The agent encodes the token in the address; one pasted by hand with a stray `%` is taken as written. */
function decodeFragmentValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The token in a location hash such as `#token=…` or `#/orders&token=…`, decoded; undefined when absent. */
export function tokenFromHash(hash: string): string | undefined {
  const m = /(?:^|[#&])token=([^&]+)/.exec(hash);
  return m?.[1] ? decodeFragmentValue(m[1]) : undefined;
}

/** Reads #token=… (then removes it from the address bar) or the stored one. */
export function takeToken(): string | undefined {
  const fromHash = tokenFromHash(window.location.hash);
  if (fromHash !== undefined) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    const rest = window.location.hash.replace(/(?:^#|&)token=[^&]*/, '').replace(/^#?&?/, '');
    history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  }
  const preload = window.viewzenix?.controlToken;
  if (preload) return preload;
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** The desktop shell hands the token over asynchronously; undefined outside Electron or on any failure. */
export async function desktopToken(): Promise<string | undefined> {
  try {
    const control = (await window.viewzenixDesktop?.getControl?.()) as { token?: unknown } | null | undefined;
    return typeof control?.token === 'string' && control.token.length > 0 ? control.token : undefined;
  } catch {
    return undefined;
  }
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
