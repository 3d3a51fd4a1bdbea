// In-process event bus: the pipeline publishes, the SSE endpoint and notifications subscribe.
import { EventEmitter } from 'node:events';
import type { AgentEvent } from '../shared/api-types.js';

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(event: AgentEvent): void {
    this.emitter.emit('event', event);
  }
  subscribe(listener: (event: AgentEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
