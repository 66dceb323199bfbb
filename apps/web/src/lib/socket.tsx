// The one socket.io connection, opened while someone is signed in (a new one for each session). Features subscribe to events
// with `useSocketEvent` and write what arrives into the query cache; nothing else stores it.
import type { ClientToServerEvents, WebServerToClientEvents } from '@portcullis/shared';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';

/** A ref that always holds the latest value, so effects can call it without re-subscribing. */
function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  });
  return ref;
}

export type LiveSocket = Socket<WebServerToClientEvents, ClientToServerEvents>;
/** `connecting`: not connected yet; `reconnecting`: was connected, lost it, coming back. */
export type LiveStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

const SocketContext = createContext<{ socket: LiveSocket | null; status: LiveStatus }>({ socket: null, status: 'offline' });

/**
 * One socket per session: `session` names it (null when nobody is signed in), and a new name
 * closes the old socket and opens a new one, whose handshake carries the cookie of the new session
 * (a sign-in as someone else never inherits the previous user's feed). `onRefused`: the server
 * refused the handshake (signed out elsewhere, session expired, account disabled); socket.io stops
 * retrying then, so the caller checks who is signed in. `onReconnect`: the socket came back after
 * losing the server (a restart, a dropped line), so the caller refreshes what may have changed.
 */
export function SocketProvider({ session, onRefused, onReconnect, children }: { session: string | null; onRefused?: () => void; onReconnect?: () => void; children: ReactNode }) {
  const [state, setState] = useState<{ socket: LiveSocket | null; status: LiveStatus }>({ socket: null, status: 'offline' });
  const refused = useLatest(onRefused);
  const reconnected = useLatest(onReconnect);

  useEffect(() => {
    if (session === null) return;
    // forceNew: socket.io would otherwise hand back its cached manager for the same address.
    const socket: LiveSocket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'], forceNew: true });
    const set = (status: LiveStatus) => setState({ socket, status });
    let connects = 0;
    set('connecting');
    socket.on('connect', () => {
      set('connected');
      if (connects++ > 0) reconnected.current?.();
    });
    socket.on('disconnect', (reason) => {
      set('reconnecting');
      // Dropped by the server on purpose (its session re-check, an account change): socket.io does
      // not reconnect by itself then, and the page would say "Reconnecting…" for ever. Try again:
      // the handshake tells whether the session still holds (connect_error below if not).
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', () => {
      set('offline');
      // Network trouble: socket.io keeps retrying (socket.active). Refused by the server: it stops.
      if (!socket.active) refused.current?.();
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
      setState({ socket: null, status: 'offline' });
    };
  }, [session, refused, reconnected]);

  return <SocketContext.Provider value={state}>{children}</SocketContext.Provider>;
}

export function useSocket(): LiveSocket | null {
  return useContext(SocketContext).socket;
}

export function useLiveStatus(): LiveStatus {
  return useContext(SocketContext).status;
}

type EventName = keyof WebServerToClientEvents;

/** Calls `handler` for each `event`; the latest handler is used without re-subscribing. */
export function useSocketEvent<E extends EventName>(event: E, handler: WebServerToClientEvents[E]): void {
  const socket = useSocket();
  const ref = useLatest(handler);
  useEffect(() => {
    if (!socket) return;
    const fn = ((...args: unknown[]) => (ref.current as (...a: unknown[]) => void)(...args)) as WebServerToClientEvents[E];
    // socket.io's typed overloads do not narrow on a generic event name.
    (socket.on as (e: string, f: unknown) => void)(event, fn);
    return () => {
      (socket.off as (e: string, f: unknown) => void)(event, fn);
    };
  }, [socket, event, ref]);
}

/**
 * Runs `onConnect` after every connect while mounted (not at mount when already connected).
 * Events sent while the socket was away (before its first connect, or during a reconnect) are
 * lost, not replayed: callers refetch what those events would have changed.
 */
export function useOnReconnect(onConnect: () => void): void {
  const socket = useSocket();
  const ref = useLatest(onConnect);
  useEffect(() => {
    if (!socket) return;
    const fn = () => ref.current();
    socket.on('connect', fn);
    return () => {
      socket.off('connect', fn);
    };
  }, [socket, ref]);
}

/** Runs `onConnect` now if connected and after every reconnect (to resend a filter). */
export function useOnConnect(onConnect: (socket: LiveSocket) => void): void {
  const socket = useSocket();
  const ref = useLatest(onConnect);
  useEffect(() => {
    if (!socket) return;
    const fn = () => ref.current(socket);
    if (socket.connected) fn();
    socket.on('connect', fn);
    return () => {
      socket.off('connect', fn);
    };
  }, [socket, ref]);
}
