// <portcullis><smtp>: how mail reaches the relay. The password is never typed here: it lives in the
// file named by password_file, or in PORTCULLIS_SMTP_PASSWORD in the server's environment.
import type { SmtpSettings, SmtpView } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';

type Security = 'auto' | 'starttls' | 'tls' | 'none';

const securityOf = (s: SmtpView): Security => (s.tls ? 'tls' : s.starttls === true ? 'starttls' : s.starttls === false ? 'none' : 'auto');

const PASSWORD_FROM: Record<'file' | 'env', string> = { file: 'read from the password file', env: 'from PORTCULLIS_SMTP_PASSWORD' };

export function SmtpCard({ smtp, editable, busy, onSave }: { smtp: SmtpView; editable: boolean; busy: boolean; onSave: (s: SmtpSettings) => void }) {
  const [port, setPort] = useState(smtp.port === null ? '' : String(smtp.port));
  const [security, setSecurity] = useState<Security>(securityOf(smtp));
  const [user, setUser] = useState(smtp.user ?? '');
  const [passwordFile, setPasswordFile] = useState(smtp.password_file ?? '');
  const [caFile, setCaFile] = useState(smtp.ca_file ?? '');
  const [insecure, setInsecure] = useState(smtp.insecure_tls);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave({
      port: port === '' ? null : Number(port), tls: security === 'tls', starttls: security === 'starttls' ? true : security === 'none' ? false : null,
      user: user.trim() || null, password_file: passwordFile.trim() || null, ca_file: caFile.trim() || null, insecure_tls: insecure,
    });
  };
  return (
    <Card title="SMTP relay" hint="<portcullis><smtp>: port, TLS and login for <smtp_server>">
      <form onSubmit={submit} aria-label="SMTP settings" className="stack" style={{ gap: 12 }}>
        <fieldset disabled={!editable} className="stack" style={{ border: 0, padding: 0, margin: 0, gap: 12 }}>
          <div className="grid" style={{ gridTemplateColumns: 'repeat(3, 1fr)', gap: 12 }}>
            <Field label="Port" htmlFor="smtp-port" help="Empty: 25, or 465 with TLS">
              <input id="smtp-port" className="input" type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
            </Field>
            <Field label="Security" htmlFor="smtp-security">
              <select id="smtp-security" className="select" value={security} onChange={(e) => setSecurity(e.target.value as Security)}>
                <option value="auto">STARTTLS when offered</option>
                <option value="starttls">STARTTLS required</option>
                <option value="tls">TLS from the start (465)</option>
                <option value="none">Plain (no TLS)</option>
              </select>
            </Field>
            <Field label="User" htmlFor="smtp-user" help="Empty: no login">
              <input id="smtp-user" className="input mono" autoComplete="off" value={user} onChange={(e) => setUser(e.target.value)} />
            </Field>
            <Field label="Password file" htmlFor="smtp-pass-file"
              help="A file holding the password (mode 0600; relative: from the config's folder). Empty: PORTCULLIS_SMTP_PASSWORD in the server's environment.">
              <input id="smtp-pass-file" className="input mono" value={passwordFile} onChange={(e) => setPasswordFile(e.target.value)} />
            </Field>
            <Field label="CA file" htmlFor="smtp-ca" help="PEM of a private CA that signs the relay's certificate; empty: the system's">
              <input id="smtp-ca" className="input mono" value={caFile} onChange={(e) => setCaFile(e.target.value)} />
            </Field>
            <div className="field">
              <span className="field-label">Password</span>
              <span className="small">{smtp.password_from ? PASSWORD_FROM[smtp.password_from] : <span className="muted">none</span>}</span>
              <span className="help">Never stored in the config or the database, never shown.</span>
            </div>
          </div>
          <label className="row" style={{ gap: 8 }}>
            <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} /> Accept any certificate (<span className="mono">insecure_tls</span>; prefer a CA file)
          </label>
        </fieldset>
        {editable && <div><Button type="submit" variant="primary" busy={busy}>Save SMTP settings</Button></div>}
      </form>
    </Card>
  );
}
