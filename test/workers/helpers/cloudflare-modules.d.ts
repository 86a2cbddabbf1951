/**
 * The slice of the workerd test modules these tests use, typed from @cloudflare/workers-types'
 * module entry. The full declarations (@cloudflare/vitest-pool-workers/types) make the Workers
 * globals ambient, which clashes with the DOM types the Node code is checked against.
 */
declare module "cloudflare:workers" {
  export const env: Record<string, unknown>;
}

declare module "cloudflare:test" {
  import type {
    D1Database,
    ExecutionContext,
    MessageBatch,
    ScheduledController,
  } from "@cloudflare/workers-types";

  export interface D1Migration {
    name: string;
    queries: string[];
  }
  export interface QueueMessageInput<Body> {
    id: string;
    timestamp: Date;
    attempts: number;
    body: Body;
  }
  export interface QueueResult {
    outcome: string;
    ackAll: boolean;
    retryBatch: { retry: boolean; delaySeconds?: number };
    explicitAcks: string[];
    retryMessages: { msgId: string; delaySeconds?: number }[];
  }

  export function applyD1Migrations(db: D1Database, migrations: D1Migration[]): Promise<void>;
  export function createExecutionContext(): ExecutionContext;
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>;
  export function createScheduledController(options?: {
    scheduledTime?: Date | number;
    cron?: string;
  }): ScheduledController;
  export function createMessageBatch<Body = unknown>(
    queueName: string,
    messages: QueueMessageInput<Body>[],
  ): MessageBatch<Body>;
  export function getQueueResult(batch: MessageBatch, ctx: ExecutionContext): Promise<QueueResult>;
}
