// Page state kept in the URL so that a view can be shared and survives a reload.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

export type UrlParams<K extends string> = Partial<Record<K, string>>;

/** Reads and writes a fixed set of search parameters; empty values are removed from the URL. */
export function useUrlParams<K extends string>(keys: readonly K[]): [UrlParams<K>, (patch: UrlParams<K> | null, opts?: { replace?: boolean }) => void] {
  const [sp, setSp] = useSearchParams();
  const key = sp.toString();
  const values = useMemo(() => {
    const out: UrlParams<K> = {};
    for (const k of keys) {
      const v = sp.get(k);
      if (v !== null && v !== '') out[k] = v;
    }
    return out;
    // `key` stands for `sp`'s contents; `keys` is a constant list.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const update = useCallback(
    (patch: UrlParams<K> | null, opts: { replace?: boolean } = {}) => {
      setSp(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (patch === null) for (const k of keys) next.delete(k);
          else
            for (const [k, v] of Object.entries(patch) as Array<[K, string | undefined]>) {
              if (v === undefined || v === '') next.delete(k);
              else next.set(k, v);
            }
          return next;
        },
        { replace: opts.replace ?? false },
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [setSp],
  );
  return [values, update];
}
