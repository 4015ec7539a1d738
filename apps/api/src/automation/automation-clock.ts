import { EventEmitter } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';

/**
 * The automation runtime's "now": timers, schedules and rule conditions read
 * time here and nowhere else. In production it is the wall clock. Tests shift
 * it forward (TRELLIS_CLOCK_OFFSET_MS for a process, `advance` inside one) so
 * that "2 working hours later" takes milliseconds instead of hours.
 */
@Injectable()
export class AutomationClock extends EventEmitter {
  private offsetMs: number;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.offsetMs = config.automation.clockOffsetMs;
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  iso(): string {
    return this.now().toISOString();
  }

  /** Test only: moves time forward; the scheduler reconciles at once. */
  advance(ms: number): void {
    if (this.config.env !== 'test') throw new Error('the automation clock only moves in tests');
    this.offsetMs += ms;
    this.emit('advanced', this.nowMs());
  }

  /** Test only: jumps to an instant (never backwards). */
  setTo(at: Date | string): void {
    const target = typeof at === 'string' ? Date.parse(at) : at.getTime();
    const delta = target - this.nowMs();
    if (delta > 0) this.advance(delta);
  }
}
