// A quick well-formedness check in the browser, used while the server's validation is not
// available. Rule files hold several top-level elements, so the text is wrapped first.
import type { EditorIssue } from '@/components/ui/code-editor';

const WRAP = '<portcullis-root>';

export function checkXml(text: string): EditorIssue[] {
  const doc = new DOMParser().parseFromString(`${WRAP}${text}</portcullis-root>`, 'application/xml');
  const err = doc.querySelector('parsererror');
  if (!err) return [];
  const msg = err.textContent ?? 'XML error';
  const m = /line (\d+) at column (\d+):\s*(.*)/i.exec(msg);
  if (!m) return [{ line: 1, column: 1, message: msg.trim() }];
  const line = Number(m[1]);
  const column = line === 1 ? Math.max(1, Number(m[2]) - WRAP.length) : Number(m[2]);
  return [{ line, column, message: m[3]!.replace(/\s+$/, '') }];
}
