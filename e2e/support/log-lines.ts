// Realistic auth.log lines, stamped now, for seeding a server with a mix of alerts.

function stamp(d = new Date()): string {
  const mon = d.toLocaleString('en-US', { month: 'short' });
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
}

let pid = 3000;
const next = () => pid++;

export function mixedAuthLog(): string[] {
  const s = stamp();
  const lines: string[] = [];
  const attackers = ['198.51.100.23', '192.0.2.77', '203.0.113.140'];
  attackers.forEach((ip, k) => {
    for (let i = 0; i < 2 + k; i++) lines.push(`${s} web01 sshd[${next()}]: Failed password for root from ${ip} port ${40000 + i} ssh2`);
    lines.push(`${s} web01 sshd[${next()}]: Invalid user oracle from ${ip} port ${41000 + k}`);
  });
  lines.push(`${s} web01 sshd[${next()}]: Accepted publickey for deploy from 198.51.100.20 port 41822 ssh2: ED25519 SHA256:Zf3dQ`);
  lines.push(`${s} db02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx`);
  lines.push(`${s} db02 su[${next()}]: FAILED SU (to root) bob on pts/1`);
  lines.push(`${s} web01 sshd[${next()}]: Did not receive identification string from 192.0.2.200 port 51000`);
  lines.push(`${s} web01 sshd[${next()}]: error: maximum authentication attempts exceeded for root from 192.0.2.77 port 40022 ssh2 [preauth]`);
  return lines;
}
