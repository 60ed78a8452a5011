// A WorkerPool job for the tests: echoes its input, and ends its thread when asked to (as a crash would).
export default function exitingJob(input: string): string {
  if (input === 'exit') process.exit(3);
  return `done ${input}`;
}
