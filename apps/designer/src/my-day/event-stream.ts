/** One server-sent event. */
export type StreamEvent = { event: string; data: string; id: string | null };

/**
 * Splits a text/event-stream into events as chunks arrive (the SSE wire format: `event:`,
 * `data:`, `id:` lines, a blank line ends an event, `:` lines are comments).
 */
export class EventStreamParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];
  private id: string | null = null;
  /** The last `retry:` the server asked for, in milliseconds. */
  retry: number | null = null;

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk;
    const out: StreamEvent[] = [];
    let newline = this.buffer.search(/\r?\n/);
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer[newline] === '\r' ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0)
          out.push({ event: this.event, data: this.data.join('\n'), id: this.id });
        this.event = 'message';
        this.data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') this.event = value;
        else if (field === 'data') this.data.push(value);
        else if (field === 'id') this.id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
      }
      newline = this.buffer.search(/\r?\n/);
    }
    return out;
  }
}
