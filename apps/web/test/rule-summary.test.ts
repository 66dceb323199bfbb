import { describe, expect, it } from 'vitest';
import { ruleSummary } from '@/features/overview/components/top-lists';

describe("a top rule's line", () => {
  it('stands for all its alerts: each run of $(field) shows as …', () => {
    expect(ruleSummary('sshd: failed password for $(dstuser)$(srcuser) from $(srcip)')).toBe('sshd: failed password for … from …');
    expect(ruleSummary('PAM: authentication failure for $(dstuser) ($(program_name))')).toBe('PAM: authentication failure for … (…)');
    expect(ruleSummary('Multiple SSHD authentication failures.')).toBe('Multiple SSHD authentication failures.');
  });
});
