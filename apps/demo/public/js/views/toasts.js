import { byId, h } from '../dom.js';

/** A short message in the corner; errors stay longer. */
export function toast(message, kind = 'info') {
  const element = h(
    'div',
    { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    message,
  );
  byId('toasts').append(element);
  setTimeout(() => element.remove(), kind === 'error' ? 8000 : 4000);
}
