import { NotificationsView } from '@/features/notifications/components/notifications-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function NotificationsRoute() {
  usePageTitle('Notifications');
  return (
    <PageBody>
      <PageHeader title="Notifications" description="Who hears about alerts and blocks: OSSEC's e-mail settings and Wazuh's integrations, read from and saved into ossec.conf." />
      <NotificationsView />
    </PageBody>
  );
}
