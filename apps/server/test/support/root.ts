// Tests that need root (mounting a small filesystem, files owned by other users, running as
// nobody) run as root, as CI and the server on a real host do; as a normal user they are reported
// as skipped, like the network-namespace suites in scripts/test-rest.mjs.
export const asRoot = process.getuid?.() === 0;
