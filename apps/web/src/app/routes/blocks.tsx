import { useState } from 'react';
import { ActiveBlocksTable, BlockHistoryTable } from '@/features/blocks/components/blocks-tables';
import { BlockDrawer } from '@/features/blocks/components/block-drawer';
import { ManualBlockDialog } from '@/features/blocks/components/manual-block-dialog';
import { useHostNames } from '@/features/blocks/api/blocks';
import { PageBody } from '@/components/layout/app-shell';
import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { IconLock } from '@/components/ui/icons';
import { Tabs } from '@/components/ui/tabs';
import { Can } from '@/lib/authorization';
import { usePageTitle } from '@/lib/page-title';
import { useUrlParams } from '@/lib/url-state';

const KEYS = ['tab', 'ip', 'rule_id', 'command', 'host', 'block'] as const;

export function BlocksRoute() {
  usePageTitle('Blocks');
  const [p, set] = useUrlParams(KEYS);
  const [manual, setManual] = useState(false);
  const tab = p.tab === 'history' ? 'history' : 'active';
  const hostNames = useHostNames().data ?? [];
  const filters = { ip: p.ip, rule_id: p.rule_id, command: p.command, host: p.host };
  const blockId = p.block && /^\d+$/.test(p.block) ? Number(p.block) : null;
  const open = (id: number) => set({ block: String(id) });
  const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as typeof filters;
  return (
    <PageBody>
      <PageHeader
        title="Blocks"
        description="Addresses dropped by active responses or by hand, with the time left, the enforcement state, and every release."
        actions={
          <Can permission="blocks:write">
            <Button variant="primary" icon={<IconLock />} onClick={() => setManual(true)}>
              Block an address
            </Button>
          </Can>
        }
      />
      <Tabs
        label="Blocks"
        value={tab}
        onChange={(t) => set({ tab: t === 'active' ? '' : t })}
        items={[
          { key: 'active', label: 'Active' },
          { key: 'history', label: 'History' },
        ]}
      />
      <Card flush>
        <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Filter blocks">
          {(['ip', 'rule_id', 'command'] as const).map((k) => (
            <div className="field" key={k}>
              <label htmlFor={`bf-${k}`}>{k === 'ip' ? 'Address' : k === 'rule_id' ? 'Rule' : 'Command'}</label>
              <input
                id={`bf-${k}`}
                className="input sm mono"
                style={{ width: k === 'ip' ? 160 : 130 }}
                defaultValue={p[k] ?? ''}
                key={p[k] ?? ''}
                onBlur={(e) => set({ [k]: e.target.value.trim() }, { replace: true })}
                onKeyDown={(e) => e.key === 'Enter' && set({ [k]: e.currentTarget.value.trim() }, { replace: true })}
              />
            </div>
          ))}
          {(hostNames.length > 0 || p.host) && (
            <div className="field">
              <label htmlFor="bf-host">Host</label>
              <select id="bf-host" className="select sm" value={p.host ?? ''} onChange={(e) => set({ host: e.target.value }, { replace: true })}>
                <option value="">Any</option>
                {p.host && !hostNames.includes(p.host) && <option value={p.host}>{p.host}</option>}
                {hostNames.map((n) => (
                  <option key={n} value={n}>{n}</option>
                ))}
              </select>
            </div>
          )}
        </form>
        {tab === 'active' ? <ActiveBlocksTable filters={clean} onOpen={open} /> : <BlockHistoryTable filters={clean} onOpen={open} />}
      </Card>
      {manual && <ManualBlockDialog onClose={() => setManual(false)} />}
      {blockId !== null && <BlockDrawer id={blockId} onClose={() => set({ block: '' })} />}
    </PageBody>
  );
}
