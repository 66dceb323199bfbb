// The one time a host's secrets are shown (after adding it or rotating its key): the bouncer API
// key, the ingest token, and the ready-to-paste configs, each with a copy button.
import type { HostSecrets } from '@portcullis/shared';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { IconCheck } from '@/components/ui/icons';
import { Tabs } from '@/components/ui/tabs';
import { useToast } from '@/components/ui/toast';

type SnippetKey = 'certificate' | 'bouncer' | 'bouncer_dropin' | 'rsyslog' | 'journal_upload';

const SNIPPETS: Array<{ key: SnippetKey; label: string; help: string }> = [
  { key: 'bouncer', label: 'Bouncer', help: 'Debian’s crowdsec-firewall-bouncer enforces every block on this host.' },
  { key: 'bouncer_dropin', label: 'Restart drop-in', help: 'The bouncer exits with status 0 when the server is unreachable at start: systemd restarts it.' },
  { key: 'certificate', label: 'Certificate', help: 'rsyslog and journal-upload authenticate with a client certificate named after the host.' },
  { key: 'rsyslog', label: 'rsyslog (TLS)', help: 'RFC 5425 on port 6514: the host’s log lines, attributed to it by its certificate.' },
  { key: 'journal_upload', label: 'journal-upload', help: 'systemd-journal-upload sends the journal to /upload over HTTPS.' },
];

/** Copies to the clipboard; on a plain-HTTP page (no Clipboard API) through a selected textarea. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

function CopyButton({ text, what }: { text: string; what: string }) {
  const toast = useToast();
  const [done, setDone] = useState(false);
  return (
    <Button
      size="sm"
      icon={done ? <IconCheck /> : undefined}
      aria-label={`Copy ${what}`}
      onClick={() =>
        void copyText(text).then(
          () => {
            setDone(true);
            toast(`${what} copied.`);
          },
          () => toast('The browser refused to copy: select the text and copy it by hand.', 'error'),
        )
      }
    >
      {done ? 'Copied' : 'Copy'}
    </Button>
  );
}

function Secret({ label, value, help }: { label: string; value: string; help: string }) {
  return (
    <div className="field">
      <div className="row">
        <span className="grow"><b>{label}</b> <span className="muted small">{help}</span></span>
        <CopyButton text={value} what={label} />
      </div>
      <pre className="log secret" aria-label={label}>{value}</pre>
    </div>
  );
}

export function HostSecretsDialog({ secrets, rotated, onClose }: { secrets: HostSecrets; rotated: boolean; onClose: () => void }) {
  const [tab, setTab] = useState<SnippetKey>('bouncer');
  const snippet = SNIPPETS.find((s) => s.key === tab)!;
  return (
    <Dialog
      wide
      title={rotated ? `New secrets for ${secrets.name}` : `${secrets.name} is registered`}
      description={rotated ? 'The old key and token stopped working: update the host.' : 'Paste these on the host.'}
      onClose={onClose}
      footer={<Button variant="primary" onClick={onClose}>Done</Button>}
    >
      <div className="banner warn" role="note">Copy them now: the key and the token are shown only once (only their hashes are stored).</div>
      <Secret label="Bouncer API key" value={secrets.api_key} help="X-Api-Key of the host’s bouncer" />
      <Secret label="Ingest token" value={secrets.ingest_token} help="Bearer token for POST /api/ingest (Vector, Fluent Bit)" />
      <div>
        <Tabs label="Configuration for the host" items={SNIPPETS.map((s) => ({ key: s.key, label: s.label }))} value={tab} onChange={setTab} />
        <div className="row" style={{ marginBottom: 8 }}>
          <span className="grow muted small">{snippet.help}</span>
          <CopyButton text={secrets.snippets[tab]} what={snippet.label} />
        </div>
        <pre className="log snippet" aria-label={`${snippet.label} configuration`} role="tabpanel">{secrets.snippets[tab]}</pre>
      </div>
    </Dialog>
  );
}
