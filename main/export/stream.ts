// Writes rows to a stream as CSV or JSON with backpressure: rows are pulled from the iterator only while the
// destination accepts more, so memory stays flat whatever the row count. A destination that closes early (the
// browser cancelled the download) ends the export and releases the iterator.
import type { Writable } from 'node:stream';
import { csvRecord } from './csv.js';
import type { Row } from './datasets.js';

export type ExportFormat = 'csv' | 'json';

const CHUNK = 64 * 1024;

export async function writeExport(out: Writable, rows: Iterable<Row>, columns: readonly string[], format: ExportFormat): Promise<{ rows: number; completed: boolean }> {
  let buffer = format === 'csv' ? csvRecord(columns) : '[';
  let count = 0;
  let closed = false;
  const onClose = (): void => {
    closed = true;
  };
  out.once('close', onClose);
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const ok = out.write(buffer);
    buffer = '';
    if (!ok && !closed) await drainOrClose(out);
  };
  const iterator = rows[Symbol.iterator]();
  try {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      if (closed || out.destroyed) return { rows: count, completed: false };
      const r = next.value;
      if (format === 'csv') buffer += csvRecord(columns.map((c) => r[c] ?? ''));
      else buffer += `${count === 0 ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? ''])))}`;
      count++;
      if (buffer.length >= CHUNK) await flush();
    }
    if (format === 'json') buffer += count === 0 ? ']\n' : '\n]\n';
    await flush();
    return { rows: count, completed: !closed };
  } finally {
    iterator.return?.(); // ends the SQLite statement if the loop stopped early
    out.off('close', onClose);
  }
}

/** Waits for 'drain' or 'close', whichever comes first, and leaves no listener behind. */
function drainOrClose(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}
