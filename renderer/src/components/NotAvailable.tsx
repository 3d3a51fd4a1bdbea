// Shown where this agent version lacks an endpoint the screen can use.
export function NotAvailable({ what }: { what: string }) {
  return (
    <p className="muted not-available" role="note">
      {what}: not available in this version of the agent.
    </p>
  );
}
