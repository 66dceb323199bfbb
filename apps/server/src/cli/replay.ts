export async function replayCommand(_argv: string[]): Promise<number> {
  throw new Error('not yet');
}
