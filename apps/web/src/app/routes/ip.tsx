import { Link, useParams } from 'react-router';
import { IpTimelineView } from '@/features/blocks/components/ip-timeline';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function IpRoute() {
  const ip = useParams().ip ?? '';
  usePageTitle(ip);
  return (
    <PageBody>
      <PageHeader
        title={<span style={{ fontFamily: 'var(--mono)' }}>{ip}</span>}
        description={<><Link to="/blocks">Blocks</Link> › timeline of one address</>}
      />
      <IpTimelineView ip={ip} />
    </PageBody>
  );
}
