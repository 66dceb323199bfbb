import { WhitelistView } from '@/features/whitelist/components/whitelist-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function WhitelistRoute() {
  usePageTitle('White list');
  return (
    <PageBody>
      <PageHeader title="White list" description="Addresses and networks Portcullis never blocks." />
      <WhitelistView />
    </PageBody>
  );
}
