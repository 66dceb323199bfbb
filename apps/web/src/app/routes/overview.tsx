import { Link } from 'react-router';
import { ActiveBlocksTable } from '@/features/blocks/components/blocks-tables';
import { OverviewStats } from '@/features/overview/components/overview-stats';
import { SourceHealth } from '@/features/overview/components/source-health';
import { PageBody } from '@/components/layout/app-shell';
import { Card } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function OverviewRoute() {
  usePageTitle('Overview');
  return (
    <PageBody>
      <OverviewStats />
      <div className="grid main-side" style={{ marginTop: 16 }}>
        <Card title="Active blocks" actions={<Link to="/blocks" className="small">All blocks</Link>} flush>
          <ActiveBlocksTable filters={{}} compact />
        </Card>
        <Card title="Log sources" actions={<Link to="/alerts" className="small">Alerts</Link>} flush>
          <SourceHealth />
        </Card>
      </div>
    </PageBody>
  );
}
