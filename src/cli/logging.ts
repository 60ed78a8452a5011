import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import pino from 'pino';
import type { Logger, Progress } from '../core/effects.ts';
import { escapeControls, escapeJsonControls } from '../core/terminal.ts';

export type LogFormat = 'json' | 'pretty';

export interface LogOptions {
  format: LogFormat;
  level: 'debug' | 'info' | 'warn' | 'error';
  stream: NodeJS.WritableStream;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'pipeline']);

/** A readable line for people at a terminal: time, level, pipeline, message, then the other fields. */
function prettyLine(line: string): string {
  const o = JSON.parse(line) as Record<string, unknown>;
  const time = new Date(o.time as number).toISOString().slice(11, 19);
  const level = LEVEL_NAMES[o.level as number] ?? String(o.level);
  const extra = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    // An error shows its message (pino joins the causes' messages into it); the stack is for JSON logs.
    .map(([k, v]) => (k === 'err' && v && typeof v === 'object' ? ['err', (v as { message?: unknown }).message] : [k, v]))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const tag = o.pipeline ? `[${o.pipeline}] ` : '';
  // Messages and fields carry file names and remote values: no ESC of theirs reaches the terminal, no newline forges a line.
  return `${escapeControls(`${time} ${level.padEnd(5)} ${tag}${o.msg ?? ''}${extra ? `  ${extra}` : ''}`)}\n`;
}

/** pino for machines (one JSON object per line) or readable lines for a terminal; neither lets a control character through raw. */
export function createLogger(o: LogOptions): Logger {
  const format = o.format === 'json' ? (line: string) => `${escapeJsonControls(line)}\n` : prettyLine;
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) o.stream.write(format(line));
      done();
    },
  });
  return pino({ level: o.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.epochTime }, destination as pino.DestinationStream) as unknown as Logger;
}

/** Progress bars with counts and rate on a terminal; the total grows as a streaming source reveals it. */
export function createProgress(stream: NodeJS.WriteStream): Progress {
  const bars = new Map<string, { bar: cliProgress.SingleBar; count: number; startedAt: number }>();
  return {
    start(stage, total) {
      const bar = new cliProgress.SingleBar({ format: `${stage.padEnd(8)} {bar} {value} posts  {rate}/s`, stream, clearOnComplete: false, hideCursor: true }, cliProgress.Presets.shades_classic);
      bar.start(total ?? 1, 0, { rate: '0' });
      bars.set(stage, { bar, count: 0, startedAt: Date.now() });
    },
    tick(stage, n = 1) {
      const b = bars.get(stage);
      if (!b) return;
      b.count += n;
      if (b.bar.getTotal() < b.count) b.bar.setTotal(b.count);
      const rate = b.count / Math.max(0.001, (Date.now() - b.startedAt) / 1000);
      b.bar.update(b.count, { rate: rate.toFixed(0) });
    },
    stop(stage) {
      bars.get(stage)?.bar.stop();
      bars.delete(stage);
    },
  };
}
