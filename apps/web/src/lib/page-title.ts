import { useEffect } from 'react';

/** Shows where you are in the browser tab as well. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Portcullis` : 'Portcullis';
  }, [title]);
}
