import { describe, expect, it } from 'vitest';
import { toQuery } from '@/features/alerts/api/alerts';

describe('alert filters from the URL', () => {
  const now = Date.parse('2024-03-04T10:00:00Z');

  it('turns numbers into numbers and drops what is not one', () => {
    expect(toQuery({ level_min: '10', rule_id: 'abc' }, now)).toMatchObject({ level_min: 10, rule_id: undefined });
  });

  it('passes the sending host and the line\'s hostname apart', () => {
    expect(toQuery({ host: 'web1', hostname: 'web01' }, now)).toMatchObject({ host: 'web1', hostname: 'web01' });
    expect(toQuery({ host: '' }, now).host).toBeUndefined();
  });

  it('resolves a relative range at the time of the call', () => {
    expect(toQuery({ range: '1h' }, now)).toMatchObject({ from: '2024-03-04T09:00:00.000Z', to: undefined });
  });

  it('keeps a custom range only when the range says custom', () => {
    expect(toQuery({ range: 'custom', from: '2024-03-01T00:00:00Z', to: '2024-03-02T00:00:00Z' }, now)).toMatchObject({ from: '2024-03-01T00:00:00.000Z', to: '2024-03-02T00:00:00.000Z' });
    expect(toQuery({ from: '2024-03-01T00:00:00Z' }, now)).toMatchObject({ from: undefined });
  });
});
