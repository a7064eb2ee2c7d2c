// Entry of dist/queue-client.js (see ./queueClient.ts): what the extension needs from src/distributed.
export { resolveRedisTarget } from '../../sweep/queue/connection';
export { startQueueSweep } from '../../sweep/queue/coordinator';
