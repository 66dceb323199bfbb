// Browse the rule tree (a rule hangs under its if_sid/if_matched_sid parents) or search it by id,
// description or group. Virtualised: stock rulesets hold thousands of rules.
// Keyboard: ↑/↓ move, → opens, ← closes, Enter shows the rule.
import type { RuleSummary } from '@portcullis/shared';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { LevelBadge } from '@/components/ui/badges';
import { IconChevronDown, IconChevronRight } from '@/components/ui/icons';
import { Empty } from '@/components/ui/states';

interface Row {
  rule: RuleSummary;
  depth: number;
  hasChildren: boolean;
  open: boolean;
}

export interface TreeFilters {
  q: string;
  levelMin: number;
  overriddenOnly: boolean;
}

function matches(r: RuleSummary, f: TreeFilters): boolean {
  if (r.level < f.levelMin) return false;
  if (f.overriddenOnly && !r.overridden) return false;
  const q = f.q.trim().toLowerCase();
  if (!q) return true;
  return String(r.id) === q || r.description.toLowerCase().includes(q) || r.groups.some((g) => g.toLowerCase() === q) || r.file.toLowerCase().includes(q);
}

export function RuleTree({ rules, selected, onSelect, filters }: { rules: RuleSummary[]; selected: number | null; onSelect: (id: number) => void; filters: TreeFilters }) {
  const byId = useMemo(() => new Map(rules.map((r) => [r.id, r])), [rules]);
  const children = useMemo(() => {
    const m = new Map<number, number[]>();
    for (const r of rules) for (const p of r.parents) if (byId.has(p)) m.set(p, [...(m.get(p) ?? []), r.id]);
    return m;
  }, [rules, byId]);
  const roots = useMemo(() => rules.filter((r) => !r.parents.some((p) => byId.has(p))).map((r) => r.id), [rules, byId]);
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const filtering = filters.q.trim() !== '' || filters.levelMin > 0 || filters.overriddenOnly;

  const rows = useMemo<Row[]>(() => {
    if (filtering) return rules.filter((r) => matches(r, filters)).map((rule) => ({ rule, depth: 0, hasChildren: false, open: false }));
    const out: Row[] = [];
    const walk = (id: number, depth: number, seen: Set<number>) => {
      const rule = byId.get(id);
      if (!rule || seen.has(id)) return;
      const kids = children.get(id) ?? [];
      const isOpen = open.has(id);
      out.push({ rule, depth, hasChildren: kids.length > 0, open: isOpen });
      if (isOpen) {
        seen.add(id);
        for (const k of kids) walk(k, depth + 1, seen);
        seen.delete(id);
      }
    };
    for (const r of roots) walk(r, 0, new Set());
    return out;
  }, [filtering, rules, filters, byId, children, roots, open]);

  const [active, setActive] = useState(0);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => 32, overscan: 12 });

  // A rule opened by address: open its ancestors so it shows in the tree, and bring it into view.
  const revealed = useRef<number | null>(null);
  useEffect(() => {
    if (selected === null || revealed.current === selected || filtering) return;
    const up = new Set<number>();
    const stack = [...(byId.get(selected)?.parents ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (up.has(id) || !byId.has(id)) continue;
      up.add(id);
      stack.push(...byId.get(id)!.parents);
    }
    if ([...up].some((id) => !open.has(id))) {
      setOpen((s) => new Set([...s, ...up]));
      return;
    }
    const i = rows.findIndex((r) => r.rule.id === selected);
    if (i >= 0) {
      revealed.current = selected;
      setActive(i);
      v.scrollToIndex(i, { align: 'center' });
    }
  }, [selected, rows, byId, open, filtering, v]);
  const toggle = (id: number, to?: boolean) =>
    setOpen((s) => {
      const n = new Set(s);
      if (to ?? !n.has(id)) n.add(id);
      else n.delete(id);
      return n;
    });
  const move = (i: number) => {
    const c = Math.max(0, Math.min(rows.length - 1, i));
    setActive(c);
    v.scrollToIndex(c);
  };
  const onKey = (e: KeyboardEvent) => {
    const r = rows[active];
    const map: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      ArrowRight: () => r?.hasChildren && toggle(r.rule.id, true),
      ArrowLeft: () => r?.hasChildren && toggle(r.rule.id, false),
      Enter: () => r && onSelect(r.rule.id),
    };
    const fn = map[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  };

  if (rows.length === 0) return <Empty title="No rule matches">Search by rule id, words of the description, a group or a file name.</Empty>;
  const activeRow = rows[active];
  return (
    <div
      ref={parent}
      className="vlist"
      role="tree"
      aria-label="Rules"
      tabIndex={0}
      onKeyDown={onKey}
      aria-activedescendant={activeRow ? `rule-node-${activeRow.rule.id}` : undefined}
      style={{ flex: 1 }}
    >
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((vi) => {
          const { rule, depth, hasChildren, open: isOpen } = rows[vi.index]!;
          return (
            <div
              key={vi.key}
              id={`rule-node-${rule.id}`}
              role="treeitem"
              aria-level={depth + 1}
              aria-expanded={hasChildren ? isOpen : undefined}
              aria-selected={rule.id === selected}
              data-active={vi.index === active || undefined}
              className="tree-row"
              style={{ transform: `translateY(${vi.start}px)`, paddingLeft: 8 + depth * 18 }}
              onClick={() => {
                setActive(vi.index);
                onSelect(rule.id);
              }}
            >
              {hasChildren ? (
                <button type="button" tabIndex={-1} className="twisty" aria-label={isOpen ? 'Close' : 'Open'} onClick={(e) => { e.stopPropagation(); toggle(rule.id); }}>
                  {isOpen ? <IconChevronDown width={14} /> : <IconChevronRight width={14} />}
                </button>
              ) : (
                <span className="twisty" aria-hidden="true" />
              )}
              <span className="rid">{rule.id}</span>
              <LevelBadge level={rule.level} />
              <span className="ellipsis grow" title={rule.description} style={{ textDecoration: rule.disabled ? 'line-through' : undefined, color: rule.disabled ? 'var(--muted)' : undefined }}>
                {rule.description || <span className="muted">(no description)</span>}
              </span>
              {hasChildren && !isOpen && <span className="muted small num" title="Children">{children.get(rule.id)?.length}</span>}
              {rule.overridden && <span className={`badge ${rule.stale_override ? 'warn' : 'info'}`} style={{ height: 18 }} title={rule.stale_override ? 'Overridden; the rule changed since' : 'Overridden'}>{rule.stale_override ? 'stale' : 'tuned'}</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
