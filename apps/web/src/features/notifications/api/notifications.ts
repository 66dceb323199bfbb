// Notifications: GET/PUT /api/notifications, POST /api/notifications/test, GET /api/notifications/history.
import type { NotificationSave, NotificationSettings, NotifyHistoryItem, NotifyHistoryPage } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

const key = ['notifications'] as const;
const historyKey = ['notifications', 'history'] as const;

export function useNotificationSettings() {
  return useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<NotificationSettings>('/api/notifications', undefined, signal) });
}

export function useNotifyHistory() {
  return useQuery({ queryKey: historyKey, queryFn: ({ signal }) => api.get<NotifyHistoryPage>('/api/notifications/history', { limit: 100 }, signal), refetchInterval: 5000 });
}

export function useSaveNotifications() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (b: NotificationSave) => api.put<NotificationSettings>('/api/notifications', b), onSuccess: (s) => qc.setQueryData(key, s) });
}

export function useSendTest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (destination: string) => api.post<NotifyHistoryItem>('/api/notifications/test', { destination }),
    onSettled: () => void qc.invalidateQueries({ queryKey: historyKey }),
  });
}
