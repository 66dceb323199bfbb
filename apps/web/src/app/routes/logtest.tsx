import { LogtestView } from '@/features/logtest/components/logtest-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function LogtestRoute() {
  usePageTitle('Log test');
  return (
    <PageBody>
      <PageHeader title="Log test" description="See how the rules read a log line, phase by phase, and whether a paste would get an address blocked, and when." />
      <LogtestView />
    </PageBody>
  );
}
