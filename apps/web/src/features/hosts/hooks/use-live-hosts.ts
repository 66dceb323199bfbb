// The Hosts page follows the live feed: a `hosts` event (a bouncer pull, an alert or lines from a
// host, an auth failure, add/rotate/revoke) or a `block` event (its decisions) refetches the list
// at once; every (re)connect too, since events sent while away are not replayed. The page's timer
// stays for what changes with time alone (a bouncer turning stale, rates per minute).
import { useQueryClient } from '@tanstack/react-query';
import { useOnReconnect, useSocketEvent } from '@/lib/socket';
import { hostKeys } from '../api/hosts';

export function useLiveHosts(): void {
  const qc = useQueryClient();
  const refetch = () => void qc.invalidateQueries({ queryKey: hostKeys.all });
  useOnReconnect(refetch);
  useSocketEvent('hosts', refetch);
  useSocketEvent('block', refetch);
}
