// System → dark → light → system.
import { useState } from 'react';
import { applyTheme, loadTheme, nextTheme } from '../lib/theme.js';

export function ThemeToggle() {
  const [choice, setChoice] = useState(loadTheme);
  const next = nextTheme(choice);
  return (
    <button
      type="button"
      className="btn small"
      onClick={() => {
        applyTheme(next);
        setChoice(next);
      }}
      aria-label={`Theme: ${choice}. Switch to ${next}.`}
    >
      Theme: {choice}
    </button>
  );
}
