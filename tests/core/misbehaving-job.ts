// A WorkerPool job for the tests: echoes its input, or misbehaves when asked to: ends its thread (as a
// crash would), runs forever, or allocates without end.
export default function misbehavingJob(input: string): string {
  if (input === 'exit') process.exit(3);
  if (input === 'spin') for (;;);
  if (input === 'hog') {
    const held: string[][] = [];
    for (;;) held.push(Array.from({ length: 1e5 }, (_, i) => `${i}`));
  }
  return `done ${input}`;
}
