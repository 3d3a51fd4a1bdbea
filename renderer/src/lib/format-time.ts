// Dates and counts in the trader's locale. No dependencies, so the entry script can warm it up (see warmIntl).

// One formatter each, made on first use: Date#toLocaleString(locale, options) builds a new Intl.DateTimeFormat on
// every call, which costs about a millisecond; a table of a few dozen rows paid that twice per row per render.
let timeFormat: Intl.DateTimeFormat | undefined;
let clockFormat: Intl.DateTimeFormat | undefined;

function timeFormatter(): Intl.DateTimeFormat {
  return (timeFormat ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }));
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return timeFormatter().format(d);
}

export function formatClock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return clockFormat.format(d);
}

/** The first locale-aware format in a page loads the browser's locale data (tens of milliseconds). The entry
 *  script calls this while it waits for the network, so the first table render does not pay for it. */
export function warmIntl(): void {
  timeFormatter().format(new Date());
  (0).toLocaleString();
}
