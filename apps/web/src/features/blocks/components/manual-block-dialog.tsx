// Block an address by hand, for a while or until released, with a reason; with registered hosts,
// where: the server's script, every host and the server, or chosen hosts' bouncers only.
import type { BlockCreateTarget } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api-client';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { useToast } from '@/components/ui/toast';
import { useActiveHostNames, useCreateBlock } from '../api/blocks';

const TARGETS: Array<{ v: BlockCreateTarget; label: string }> = [
  { v: 'server', label: 'This server' },
  { v: 'all', label: 'Every host and the server' },
  { v: 'hosts', label: 'Chosen hosts only' },
];

const DURATIONS = [
  { v: 600, label: '10 minutes' },
  { v: 3600, label: '1 hour' },
  { v: 86_400, label: '24 hours' },
  { v: 7 * 86_400, label: '7 days' },
  { v: 0, label: 'Until released' },
];

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** A quick shape check for the form; the server parses the address properly. */
function looksLikeIp(s: string): boolean {
  return IPV4.test(s) || (/^[0-9a-fA-F:.]+$/.test(s) && s.includes(':'));
}

export function ManualBlockDialog({ onClose, initialIp = '' }: { onClose: () => void; initialIp?: string }) {
  const create = useCreateBlock();
  const toast = useToast();
  const [ip, setIp] = useState(initialIp);
  const [duration, setDuration] = useState(3600);
  const [reason, setReason] = useState('');
  const [command, setCommand] = useState('');
  const [target, setTarget] = useState<BlockCreateTarget>('server');
  const [chosen, setChosen] = useState<string[]>([]);
  const [touched, setTouched] = useState(false);
  const hostNames = useActiveHostNames().data ?? [];
  const badIp = !looksLikeIp(ip.trim());
  const noReason = reason.trim() === '';
  const noHosts = target === 'hosts' && chosen.length === 0;
  const toggle = (name: string) => setChosen((c) => (c.includes(name) ? c.filter((n) => n !== name) : [...c, name]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (badIp || noReason || noHosts) return;
    create.mutate(
      {
        ip: ip.trim(), duration, reason: reason.trim(), ...(command.trim() ? { command: command.trim() } : {}),
        ...(target !== 'server' ? { target } : {}), ...(target === 'hosts' ? { hosts: chosen } : {}),
      },
      {
        onSuccess: (b) => {
          toast(`Blocked ${b.ip}.`);
          onClose();
        },
      },
    );
  };
  return (
    <Dialog title="Block an address" description="Runs the blocking command now, or has the chosen hosts' bouncers enforce it. The white list and admin protection still apply everywhere." onClose={onClose}>
      <form onSubmit={submit} style={{ display: 'contents' }}>
        {create.error && <div className="banner danger" role="alert">{errorMessage(create.error)}</div>}
        <div className="form-grid">
          <Field label="IP address" htmlFor="mb-ip" error={touched && badIp ? 'Enter an IPv4 or IPv6 address.' : undefined}>
            <input id="mb-ip" className="input mono" value={ip} onChange={(e) => setIp(e.target.value)} aria-invalid={touched && badIp} data-autofocus placeholder="203.0.113.9" />
          </Field>
          <Field label="Duration" htmlFor="mb-duration">
            <select id="mb-duration" className="select" value={duration} onChange={(e) => setDuration(Number(e.target.value))}>
              {DURATIONS.map((d) => (
                <option key={d.v} value={d.v}>
                  {d.label}
                </option>
              ))}
            </select>
          </Field>
          <div className="span-2">
            <Field label="Reason" htmlFor="mb-reason" error={touched && noReason ? 'Give a reason.' : undefined}>
              <textarea id="mb-reason" className="textarea" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={touched && noReason} placeholder="e.g. Scanning our web servers" />
            </Field>
          </div>
          {hostNames.length > 0 && (
            <div className="span-2">
              <Field label="Enforced on" htmlFor="mb-target" help="Hosts enforce it through their CrowdSec bouncer on its next pull." error={touched && noHosts ? 'Choose at least one host.' : undefined}>
                <select id="mb-target" className="select" value={target} onChange={(e) => setTarget(e.target.value as BlockCreateTarget)}>
                  {TARGETS.map((t) => (
                    <option key={t.v} value={t.v}>
                      {t.label}
                    </option>
                  ))}
                </select>
              </Field>
              {target === 'hosts' && (
                <fieldset aria-label="Hosts" style={{ display: 'flex', flexWrap: 'wrap', gap: '6px 14px', border: 0, padding: 0, margin: '8px 0 0' }}>
                  {hostNames.map((name) => (
                    <label key={name} className="checkbox">
                      <input type="checkbox" checked={chosen.includes(name)} onChange={() => toggle(name)} /> <span className="mono">{name}</span>
                    </label>
                  ))}
                </fieldset>
              )}
            </div>
          )}
          <div className="span-2">
            <Field label="Command" htmlFor="mb-command" help="Optional. Leave empty for the command of the default blocking response.">
              <input id="mb-command" className="input mono" value={command} onChange={(e) => setCommand(e.target.value)} placeholder="firewall-drop" />
            </Field>
          </div>
        </div>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Block
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
