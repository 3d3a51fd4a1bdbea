// A field's errors as the strategy and notification forms show them (server-rendered: no browser needed).
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { FieldErrors } from './FieldErrors.js';

describe('FieldErrors', () => {
  it('shows every message of the field in one announced line, under the id the field points at', () => {
    expect(renderToStaticMarkup(<FieldErrors id="f-port-error" messages={['must be a number', 'must be >= 1']} />)).toBe(
      '<span id="f-port-error" class="warn-line small" role="alert" data-testid="field-error">must be a number; must be &gt;= 1</span>',
    );
    expect(renderToStaticMarkup(<FieldErrors messages={['too long']} />)).toBe('<span class="warn-line small" role="alert" data-testid="field-error">too long</span>');
  });

  it('draws nothing for a field without errors', () => {
    expect(renderToStaticMarkup(<FieldErrors />)).toBe('');
    expect(renderToStaticMarkup(<FieldErrors id="f-name-error" messages={[]} />)).toBe('');
  });
});
