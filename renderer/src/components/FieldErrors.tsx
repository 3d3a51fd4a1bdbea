// A form field's errors, beside the field, found by the form or refused by the agent. They appear after a save (or an
// attempt to save) fails, so they are announced: role="alert". Used by the strategy, account and notification forms.

export function FieldErrors({ messages, id }: { messages?: readonly string[]; id?: string }) {
  if (!messages?.length) return null;
  return (
    <span id={id} className="warn-line small" role="alert" data-testid="field-error">
      {messages.join('; ')}
    </span>
  );
}
