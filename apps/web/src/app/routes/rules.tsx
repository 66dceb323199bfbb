import { useNavigate, useParams } from 'react-router';
import { useRules } from '@/features/rules/api/rules';
import { RuleDetailView } from '@/features/rules/components/rule-detail';
import { RuleTree } from '@/features/rules/components/rule-tree';
import { PageBody } from '@/components/layout/app-shell';
import { Card, PageHeader } from '@/components/ui/card';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { formatNumber } from '@/lib/format';
import { usePageTitle } from '@/lib/page-title';
import { useUrlParams } from '@/lib/url-state';

export function RulesRoute() {
  const params = useParams();
  const id = params.id && /^\d+$/.test(params.id) ? Number(params.id) : null;
  usePageTitle(id ? `Rule ${id}` : 'Rules');
  const [p, set] = useUrlParams(['q', 'level', 'tuned'] as const);
  const navigate = useNavigate();
  const rules = useRules();
  const filters = { q: p.q ?? '', levelMin: Number(p.level ?? 0) || 0, overriddenOnly: p.tuned === '1' };
  const search = new URLSearchParams(Object.entries(p).filter(([, v]) => v) as Array<[string, string]>).toString();
  return (
    <PageBody fill>
      <PageHeader title="Rules" description="The rule tree as compiled, with every override. Select a rule to see its source and tune it." />
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(360px, 420px) minmax(0, 1fr)', gap: 16, flex: 1, minHeight: 0 }}>
        <div className="card" style={{ display: 'flex', flexDirection: 'column', minHeight: 0, overflow: 'hidden' }}>
          <div className="toolbar" role="search">
            <input
              className="input sm grow"
              type="search"
              aria-label="Search rules"
              placeholder="Search id, description, group, file…"
              defaultValue={filters.q}
              onChange={(e) => set({ q: e.target.value }, { replace: true })}
            />
            <select className="select sm" aria-label="Minimum level" value={p.level ?? ''} onChange={(e) => set({ level: e.target.value }, { replace: true })}>
              <option value="">Any level</option>
              {[3, 5, 7, 10, 12].map((l) => <option key={l} value={l}>≥ {l}</option>)}
            </select>
            <label className="checkbox small">
              <input type="checkbox" checked={filters.overriddenOnly} onChange={(e) => set({ tuned: e.target.checked ? '1' : '' }, { replace: true })} /> Tuned
            </label>
          </div>
          {rules.isPending ? <Loading rows={14} /> : rules.error ? <ErrorState error={rules.error} onRetry={() => void rules.refetch()} /> : (
            <>
              <RuleTree rules={rules.data.items} selected={id} filters={filters} onSelect={(rid) => navigate({ pathname: `/rules/${rid}`, search })} />
              <div className="muted small" style={{ padding: '6px 12px', borderTop: '1px solid var(--border)' }}>
                {formatNumber(rules.data.items.length)} rules · {formatNumber(rules.data.items.filter((r) => r.overridden).length)} tuned
              </div>
            </>
          )}
        </div>
        <div style={{ overflow: 'auto', minHeight: 0 }}>
          {id === null ? (
            <Card>
              <Empty title="Select a rule">Browse the tree on the left, or search by id, description, group or file.</Empty>
            </Card>
          ) : (
            <RuleDetailView id={id} />
          )}
        </div>
      </div>
    </PageBody>
  );
}
