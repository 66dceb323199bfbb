// The shared contract as both sides use it: the schemas compile and accept what the server sends
// and refuse what it must not take.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { Alert, AlertPage, ErrorBody, LiveFilter, LoginBody, TokenScope, UserCreate } from '../src/index.js';

const alert = {
  id: 1, time: '2026-03-04T10:15:01.000Z', event_time: null, rule_id: 5716, level: 5, description: 'd', groups: ['sshd'],
  decoder: 'sshd', srcip: '203.0.113.9', user: 'root', hostname: 'web01', program_name: 'sshd', location: '/var/log/auth.log',
  full_log: 'line', fields: { srcip: '203.0.113.9' }, host: null,
};

describe('shared schemas', () => {
  it('accept an alert page as the server sends it', () => {
    expect(TypeCompiler.Compile(Alert).Check(alert)).toBe(true);
    expect(TypeCompiler.Compile(AlertPage).Check({ items: [alert], next: null })).toBe(true);
    expect(TypeCompiler.Compile(AlertPage).Check({ items: [{ ...alert, level: '5' }], next: null })).toBe(false);
  });

  it('refuse a live filter of the wrong shape', () => {
    const check = TypeCompiler.Compile(LiveFilter);
    expect(check.Check({ level_min: 10, rule_id: [5712], srcip: '203.0.113.9' })).toBe(true);
    expect(check.Check({ level_min: 99 })).toBe(false);
    expect(check.Check({ rule_id: 5712 })).toBe(false);
  });

  it('hold roles, token scopes and password rules in one place', () => {
    expect(TypeCompiler.Compile(TokenScope).Check('ingest')).toBe(true);
    expect(TypeCompiler.Compile(UserCreate).Check({ username: 'ann', password: 'short', role: 'admin' })).toBe(false);
    expect(TypeCompiler.Compile(UserCreate).Check({ username: 'a b', password: 'long-enough-1', role: 'admin' })).toBe(false);
    expect(TypeCompiler.Compile(LoginBody).Check({ username: 'ann', password: 'x' })).toBe(true);
    expect(TypeCompiler.Compile(ErrorBody).Check({ error: { code: 'NOT_FOUND', message: 'no' } })).toBe(true);
  });
});
