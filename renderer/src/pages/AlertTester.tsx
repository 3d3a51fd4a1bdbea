// Checks an alert message with the agent's own parser, as TradingView would send it (placeholders filled with
// sample values), without trading. Problems are listed with their codes in plain words.
import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { isNotAvailable } from '../api/client.js';
import { fillPlaceholders, sampleValues } from '../lib/alert-template.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { JsonBlock } from '../components/JsonBlock.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';

export function AlertTester({ template }: { template: string }) {
  const api = useApi();
  const [text, setText] = useState(() => fillPlaceholders(template, sampleValues()));
  useEffect(() => setText(fillPlaceholders(template, sampleValues())), [template]);
  const check = useMutation({ mutationFn: () => api.checkAlert(text) });
  const r = check.data;
  return (
    <div className="tester">
      <h3>3. Test it</h3>
      <label>
        Alert as TradingView would send it (edit freely)
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={8} spellCheck={false} data-testid="tester-text" />
      </label>
      <button type="button" className="btn" onClick={() => check.mutate()} disabled={check.isPending} data-testid="tester-check">
        {check.isPending ? 'Checking…' : 'Check this alert'}
      </button>
      {isNotAvailable(check.error) ? <NotAvailable what="Checking an alert" /> : <ErrorBox error={check.error} title="The check did not run" />}
      {r && (
        <div role="status" data-testid="tester-result">
          {r.problems.length === 0 ? (
            <p className="ok-line">The agent reads this alert without problems.</p>
          ) : (
            <ul className="problems">
              {r.problems.map((p, i) => (
                <li key={i}>
                  {p.field && <code>{p.field}</code>} <CodeExplain code={p.code} detail={p.message} />
                </li>
              ))}
            </ul>
          )}
          {r.signal && (
            <details open>
              <summary>Read as</summary>
              <JsonBlock value={r.signal} label="Parsed signal" />
            </details>
          )}
        </div>
      )}
    </div>
  );
}
