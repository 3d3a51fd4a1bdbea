// The VIEWZENIX_SECRET_* variables an account without keys reads them from at the agent's next start (names only).
import { CopyButton } from '../components/CopyButton.js';

export function CredentialVariables({ variables }: { variables: Record<string, string> }) {
  const entries = Object.entries(variables);
  return (
    <div className="muted small credential-variables" data-testid="credential-variables">
      Keys not set. Set these environment variables for the agent (the value is the key itself) and restart it, or use &quot;Replace keys…&quot; on a computer with a keychain:
      <ul>
        {entries.map(([field, variable]) => (
          <li key={field}>
            {field}: <code data-testid="credential-variable">{variable}</code> <CopyButton text={variable} label="Copy" />
          </li>
        ))}
      </ul>
    </div>
  );
}
