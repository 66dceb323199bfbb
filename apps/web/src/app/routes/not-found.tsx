import { Link } from 'react-router';
import { PageBody } from '@/components/layout/app-shell';
import { Empty } from '@/components/ui/states';
import { usePageTitle } from '@/lib/page-title';

export function NotFoundRoute() {
  usePageTitle('Not found');
  return (
    <PageBody>
      <Empty title="No such page" action={<Link to="/">Back to the overview</Link>}>
        The address does not match any page of the dashboard.
      </Empty>
    </PageBody>
  );
}
