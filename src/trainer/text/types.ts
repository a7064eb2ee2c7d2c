import type { TaskConfig } from '../../config/schema';

/** A `kind: "text"` task with its defaults filled in. */
export type TextTask = Extract<TaskConfig, { kind: 'text' }>;
export type TokenizerConfig = TextTask['tokenizer'];
