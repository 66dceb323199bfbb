// Ready-to-paste configuration for a registered host: Debian's crowdsec-firewall-bouncer pointed
// at our /v1/ API, a systemd drop-in that restarts it (it exits 0 when the server is unreachable at
// start, and the Debian unit has no Restart=), an rsyslog RFC 5425 action (TLS, octet-counted, port
// 6514, the host's client certificate) and a systemd-journal-upload config. The certificate paths
// are where the files `portcullis host cert NAME` writes are copied to on the host.
import type { HostSnippets } from '@portcullis/shared';

/** Where the snippets expect the files of `portcullis host cert NAME` on the host. */
export const HOST_CERT_DIR = '/etc/portcullis';
export const SYSLOG_TLS_PORT = 6514;

export interface SnippetContext {
  /** The dashboard's URL as the hosts reach it (`<public_url>`), e.g. https://central.example:8787. */
  publicUrl: string;
}

export function hostSnippets(name: string, apiKey: string, ctx: SnippetContext): HostSnippets {
  const url = new URL(ctx.publicUrl);
  const https = url.protocol === 'https:';
  const server = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const ca = `${HOST_CERT_DIR}/ca.crt`;
  const crt = `${HOST_CERT_DIR}/${name}.crt`;
  const key = `${HOST_CERT_DIR}/${name}.key`;
  const bouncer = [
    `# /etc/crowdsec/bouncers/crowdsec-firewall-bouncer.yaml on ${name}`,
    'mode: nftables',
    'pid_dir: /var/run/',
    'update_frequency: 10s',
    'daemonize: true',
    'log_mode: file',
    'log_dir: /var/log/',
    'log_level: info',
    `api_url: ${url.origin}/`,
    `api_key: ${apiKey}`,
    ...(https ? [`ca_cert_path: ${ca}`, 'insecure_skip_verify: false'] : []),
    'disable_ipv6: false',
    'deny_action: DROP',
    'deny_log: false',
    'supported_decisions_types:',
    '  - ban',
    'blacklists_ipv4: crowdsec-blacklists',
    'blacklists_ipv6: crowdsec6-blacklists',
    'ipset_type: nethash',
    'iptables_chains:',
    '  - INPUT',
    'nftables:',
    '  ipv4:',
    '    enabled: true',
    '    set-only: false',
    '    table: crowdsec',
    '    chain: crowdsec-chain',
    '  ipv6:',
    '    enabled: true',
    '    set-only: false',
    '    table: crowdsec6',
    '    chain: crowdsec6-chain',
    'prometheus:',
    '  enabled: false',
    '',
  ].join('\n');
  const bouncerDropin = [
    '# /etc/systemd/system/crowdsec-firewall-bouncer.service.d/restart.conf',
    '# Debian\'s bouncer exits with status 0 when the server is unreachable at start: restart it anyway.',
    '# Then: systemctl daemon-reload && systemctl restart crowdsec-firewall-bouncer',
    '[Service]',
    'Restart=always',
    'RestartSec=5',
    '',
  ].join('\n');
  const rsyslog = [
    `# /etc/rsyslog.d/60-portcullis.conf on ${name} (apt install rsyslog-gnutls; then systemctl restart rsyslog)`,
    '# RFC 5425: TLS with this host\'s client certificate, octet-counted frames, a disk-assisted queue to retry.',
    `auth,authpriv.* action(type="omfwd" target="${server}" port="${SYSLOG_TLS_PORT}" protocol="tcp"`,
    '  StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"',
    `  StreamDriverPermittedPeers="${server}" TCP_Framing="octet-counted"`,
    `  StreamDriver.CAFile="${ca}"`,
    `  StreamDriver.CertFile="${crt}"`,
    `  StreamDriver.KeyFile="${key}"`,
    '  queue.type="LinkedList" queue.filename="portcullis" queue.saveOnShutdown="on" action.resumeRetryCount="-1")',
    '',
  ].join('\n');
  const journalUpload = [
    `# /etc/systemd/journal-upload.conf on ${name} (apt install systemd-journal-remote)`,
    `# The key must be readable by the uploader: chgrp systemd-journal-upload ${key} && chmod 640 ${key}`,
    '# Then: systemctl enable --now systemd-journal-upload',
    ...(https ? [] : ['# The server serves plain HTTP: /upload needs <tls> with <client_ca> in its config (README, "Many hosts").']),
    '[Upload]',
    `URL=${https ? url.origin : `https://${url.host}`}`,
    `ServerKeyFile=${key}`,
    `ServerCertificateFile=${crt}`,
    `TrustedCertificateFile=${ca}`,
    '',
  ].join('\n');
  const certificate = [
    `# On the server: a client certificate for ${name} (CN=${name}), signed by the CA of \`portcullis ca init\`.`,
    `portcullis host cert ${name} --out ./${name}-certs`,
    `# Copy ./${name}-certs/{ca.crt,${name}.crt,${name}.key} to ${HOST_CERT_DIR}/ on ${name} (the key 0600 or 0640).`,
    '',
  ].join('\n');
  return { bouncer, bouncer_dropin: bouncerDropin, rsyslog, journal_upload: journalUpload, certificate };
}
