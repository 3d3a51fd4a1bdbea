// Checks an alert message with the agent's own parser, as TradingView would send it (placeholders filled with
// sample values), without trading. Problems are listed with their codes in plain words, and every warning of the
// agent too (an id without {{timenow}} is answered "duplicate" and not traded); the builder's passphrase placeholder
// is a problem, since the real webhook refuses it.
import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { isNotAvailable } from '../api/client.js';
import { fillPlaceholders, sampleValues } from '../lib/alert-template.js';
import { reviewAlertCheck } from '../lib/alert-check.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { JsonBlock } from '../components/JsonBlock.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';

export function AlertTester({ template, hasPassphrase }: { template: string; hasPassphrase?: boolean }) {
  const api = useApi();
  const [text, setText] = useState(() => fillPlaceholders(template, sampleValues()));
  useEffect(() => setText(fillPlaceholders(template, sampleValues())), [template]);
  // The text checked is kept with the answer, so the review matches what was sent even after further edits.
  const check = useMutation({ mutationFn: (t: string) => api.checkAlert(t).then((result) => ({ result, text: t })) });
  const r = check.data ? reviewAlertCheck(check.data.result, check.data.text, { hasPassphrase }) : undefined;
  const signal = check.data?.result.signal;
  return (
    <div className="tester">
      <h3>3. Test it</h3>
      <label>
        Alert as TradingView would send it (edit freely)
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={8} spellCheck={false} data-testid="tester-text" />
      </label>
      <button type="button" className="btn" onClick={() => check.mutate(text)} disabled={check.isPending} data-testid="tester-check">
        {check.isPending ? 'Checking…' : 'Check this alert'}
      </button>
      {isNotAvailable(check.error) ? <NotAvailable what="Checking an alert" /> : <ErrorBox error={check.error} title="The check did not run" />}
      {r && (
        <div role="status" data-testid="tester-result">
          <p className={r.verdict === 'ok' ? 'ok-line' : 'warn-line'} data-testid="tester-headline">
            {r.headline}
          </p>
          {r.problems.length > 0 && (
            <ul className="problems" aria-label="Problems">
              {r.problems.map((p, i) => (
                <li key={i} data-testid="tester-problem">
                  {p.field && <code>{p.field}</code>} <CodeExplain code={p.code} detail={p.message} />
                </li>
              ))}
            </ul>
          )}
          {r.warnings.length > 0 && (
            <ul className="problems" aria-label="Warnings">
              {r.warnings.map((w, i) => (
                <li key={i} data-testid="tester-warning">
                  <strong>Warning:</strong> {w}
                </li>
              ))}
            </ul>
          )}
          {signal && (
            <details open>
              <summary>Read as</summary>
              <JsonBlock value={signal} label="Parsed signal" />
            </details>
          )}
        </div>
      )}
    </div>
  );
}
