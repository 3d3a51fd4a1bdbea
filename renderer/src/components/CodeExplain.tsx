// A reason code with its plain-words message and what to do about it.
import { explainCode } from '../lib/codes.js';

export function CodeExplain({ code, detail, compact }: { code?: string; detail?: string; compact?: boolean }) {
  const e = explainCode(code, detail);
  if (!e) return null;
  if (compact) {
    return (
      <span title={e.fix}>
        {e.code && <code className="code">{e.code}</code>} {e.message}
      </span>
    );
  }
  return (
    <div className="explain">
      <div>
        {e.code && <code className="code">{e.code}</code>} {e.message}
      </div>
      {detail && detail !== e.message && <div className="muted">{detail}</div>}
      {e.fix && <div className="fix">What to do: {e.fix}</div>}
    </div>
  );
}
