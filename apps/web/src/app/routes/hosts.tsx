import { HostsView } from '@/features/hosts/components/hosts-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function HostsRoute() {
  usePageTitle('Hosts');
  return (
    <PageBody>
      <PageHeader title="Hosts" description="Registered hosts: the logs they send over TLS or HTTPS, and their CrowdSec bouncers, which enforce every block on each host." />
      <HostsView />
    </PageBody>
  );
}
