// Release a block early: a reason is required (it is kept with the block and in the audit log),
// and an optional grace period stops the same rule from blocking the address again at once.
import type { Block } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api-client';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { useToast } from '@/components/ui/toast';
import { useReleaseBlock } from '../api/blocks';

const GRACE = [
  { v: '', label: 'None: the rules may block it again at once' },
  { v: '600', label: '10 minutes' },
  { v: '3600', label: '1 hour' },
  { v: '86400', label: '24 hours' },
];

export function ReleaseDialog({ block, onClose }: { block: Block; onClose: () => void }) {
  const release = useReleaseBlock();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const [grace, setGrace] = useState('');
  const [touched, setTouched] = useState(false);
  const missing = reason.trim().length === 0;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (missing) return;
    release.mutate(
      { id: block.id, body: { reason: reason.trim(), ...(grace ? { grace_seconds: Number(grace) } : {}) } },
      {
        onSuccess: () => {
          toast(`Released ${block.ip}.`);
          onClose();
        },
      },
    );
  };
  return (
    <Dialog
      title={`Release ${block.ip}`}
      description={`Runs ${block.command} delete now, before the timer would. The release is recorded with your name and reason.`}
      onClose={onClose}
    >
      <form onSubmit={submit} id="release-form" style={{ display: 'contents' }}>
        {release.error && <div className="banner danger" role="alert">{errorMessage(release.error)}</div>}
        <Field label="Reason" htmlFor="release-reason" help="Required. Say why, for whoever reads the history." error={touched && missing ? 'Give a reason for the release.' : undefined}>
          <textarea
            id="release-reason"
            className="textarea"
            rows={3}
            value={reason}
            aria-invalid={touched && missing}
            aria-required="true"
            data-autofocus
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. Office NAT address; the user mistyped their password"
          />
        </Field>
        <Field label="Grace period" htmlFor="release-grace">
          <select id="release-grace" className="select" value={grace} onChange={(e) => setGrace(e.target.value)}>
            {GRACE.map((g) => (
              <option key={g.v} value={g.v}>
                {g.label}
              </option>
            ))}
          </select>
        </Field>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="danger" busy={release.isPending}>
            Release block
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
