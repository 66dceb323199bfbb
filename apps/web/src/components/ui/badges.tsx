import type { ReactNode } from 'react';
import { severityOf } from '@/lib/format';

export function LevelBadge({ level, title }: { level: number; title?: string }) {
  return (
    <span className="level" data-sev={severityOf(level)} title={title ?? `Level ${level}`}>
      {level}
    </span>
  );
}

export type Tone = 'neutral' | 'ok' | 'warn' | 'danger' | 'info';

export function Badge({ tone = 'neutral', dot = false, children, title }: { tone?: Tone; dot?: boolean; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone === 'neutral' ? '' : tone}`} title={title}>
      {dot && <span className="dot" aria-hidden="true" />}
      {children}
    </span>
  );
}
