// The diff of the draft against the saved file, a message, and the save. The server answers 422
// with the compile errors when the ruleset does not compile: nothing is applied then.
import type { RulesetValidation } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '@/lib/api-client';
import { Button } from '@/components/ui/button';
import { DiffView } from '@/components/ui/code-editor';
import { Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { useToast } from '@/components/ui/toast';
import { useSaveFile } from '../api/files';

export function SaveDialog({ path, original, draft, baseHash, onClose, onSaved }: { path: string; original: string; draft: string; baseHash: string; onClose: () => void; onSaved: () => void }) {
  const save = useSaveFile();
  const toast = useToast();
  const [message, setMessage] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!message.trim()) return;
    save.mutate(
      { path, content: draft, base_hash: baseHash, message: message.trim() },
      {
        onSuccess: (r) => {
          toast(`Saved and applied: ${r.status.rules} rules, ${r.status.decoders} decoders loaded without a restart.`);
          onSaved();
        },
      },
    );
  };
  const err = save.error;
  const v = err instanceof ApiError && err.status === 422 ? (err.body as RulesetValidation | null) : null;
  return (
    <Dialog title={`Save ${path}`} description="Check the changes. Saving compiles the whole ruleset with this file and switches to it only if it compiles." onClose={onClose} wide>
      <form onSubmit={submit} style={{ display: 'contents' }}>
        <DiffView original={original} modified={draft} height={320} />
        {v && (
          <div className="banner danger" role="alert">
            <span>
              <b>Not applied: the ruleset does not compile with this file.</b>
              <ul style={{ margin: '6px 0 0', paddingLeft: 18 }}>
                {v.errors.map((e, i) => <li key={i} className="mono small">{e.file}:{e.line}:{e.column}: {e.message}</li>)}
              </ul>
            </span>
          </div>
        )}
        {err && !v && <div className="banner danger" role="alert">{err instanceof ApiError && err.status === 409 ? 'The file changed on the server since you opened it. Reload it and apply your change again.' : errorMessage(err)}</div>}
        <Field label="What changed, and why" htmlFor="save-msg" help="Required; kept with the revision.">
          <input id="save-msg" className="input" value={message} onChange={(e) => setMessage(e.target.value)} data-autofocus placeholder="e.g. Lower the sshd brute-force threshold to 4" />
        </Field>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending} disabled={!message.trim()}>
            Save and apply
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
