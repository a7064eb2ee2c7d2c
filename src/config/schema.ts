// The experiment file (`*.grok.json`) schema: the one source of truth.
// The TypeScript types, the defaults, the validator and the generated JSON Schema all come from here.
import { z } from 'zod';

export const MODULAR_OPS = ['a+b', 'a-b', 'a*b', 'a/b', '(a+b)^2', 'a^2+b^2', 'a^2+ab+b^2', 'a^3+ab'] as const;
export type ModularOp = (typeof MODULAR_OPS)[number];

const modulus = z.number().int().min(2).max(1024).default(97)
  .describe('The modulus P. Inputs a and b range over 0..P-1; the answer is one of P classes.');
const trainSizeField = z.number().int().min(1)
  .describe('Number of training examples, a seeded uniform sample of the dataset. The rest is validation.');
const trainFractionField = z.number().gt(0).lte(1)
  .describe('Fraction of the dataset used for training (an alternative to trainSize).');

export const ModularTaskSchema = z.strictObject({
  kind: z.literal('modular'),
  op: z.enum(MODULAR_OPS).default('a+b').describe('The operation: the label is op(a, b) mod P.'),
  modulus,
}).describe('Modular arithmetic: the sequence `a b =` is labelled op(a, b) mod P.');

export const MemorizationTaskSchema = z.strictObject({
  kind: z.literal('memorization'),
  op: z.enum(MODULAR_OPS).default('a+b').describe('Which inputs to use: the (a, b) pairs of this op (a/b excludes b = 0).'),
  modulus,
  symmetric: z.boolean().default(false).describe('If true, (a, b) and (b, a) share one random label.'),
}).describe('Random-label memorization: the inputs of a modular op, with labels drawn uniformly by seed.');

export const MixtureComponentSchema = z.strictObject({
  name: z.string().min(1).optional().describe('Component name, used in metrics (defaults to the op, with "random" for random labels).'),
  op: z.enum(MODULAR_OPS).describe('The operation whose (a, b) pairs this component uses.'),
  labels: z.enum(['op', 'random']).default('op').describe('"op" labels by the operation; "random" draws labels uniformly by seed (memorization).'),
  trainSize: trainSizeField.optional(),
  trainFraction: trainFractionField.optional(),
});
export const MixtureTaskSchema = z.strictObject({
  kind: z.literal('mixture'),
  modulus,
  components: z.array(MixtureComponentSchema).min(1)
    .describe('The tasks trained together. Each gets its own operator token: the sequence is `a op b =`.'),
}).describe('Multi-task mixture (circuit competition): several modular tasks, each with its own operator token.');

export const TextTaskSchema = z.strictObject({
  kind: z.literal('text'),
  format: z.enum(['imdb', 'yelp', 'csv', 'jsonl']).describe('Layout of the data: the IMDB folder tree, Yelp polarity CSV, or plain CSV/JSONL.'),
  path: z.string().min(1).describe('The data set, relative to this config file: a folder (imdb) or the train file (yelp, csv, jsonl).'),
  testPath: z.string().min(1).optional().describe('Optional test file (yelp, csv, jsonl). Without it, validation is the training split\'s remainder.'),
  textField: z.string().default('text').describe('Text column or key (csv, jsonl).'),
  labelField: z.string().default('label').describe('Label column or key (csv, jsonl).'),
  tokenizer: z.strictObject({
    kind: z.enum(['word', 'wordpiece']).default('word').describe('Word-level vocabulary built from the training split, or WordPiece from vocabFile.'),
    vocabFile: z.string().optional().describe('A BERT-style vocab.txt (wordpiece), relative to this config file.'),
    maxVocab: z.number().int().min(4).default(20000).describe('Largest vocabulary (word).'),
    minFreq: z.number().int().min(1).default(2).describe('Smallest count for a word to enter the vocabulary (word).'),
    maxLength: z.number().int().min(2).max(4096).default(256).describe('Tokens per example, after truncation; shorter ones are padded.'),
    lowercase: z.boolean().default(true).describe('Lowercase before tokenizing (and, for wordpiece, strip accents, as bert-base-uncased does).'),
    overflow: z.enum(['truncate', 'drop']).default('truncate')
      .describe('Examples longer than maxLength (with [CLS]): "truncate" keeps their first tokens; "drop" leaves them out (Zhu et al. drop them).'),
  }).prefault({}).describe('How text becomes tokens. Every example starts with [CLS] (id 2 for word; the vocab\'s [CLS] for wordpiece), then its tokens, then [PAD] (id 0).'),
  valSize: z.number().int().min(1).optional().describe('Cap on the number of validation examples from the test split: a fixed seeded sample of it is kept, the same for every run. Without a test split, use training.valSize.'),
}).describe('Binary sentiment classification from local files (IMDB, Yelp, CSV, JSONL).');

export const TaskSchema = z.discriminatedUnion('kind', [ModularTaskSchema, MemorizationTaskSchema, MixtureTaskSchema, TextTaskSchema]);

export const ModelSchema = z.strictObject({
  kind: z.enum(['transformer', 'mlp', 'encoder']).default('transformer')
    .describe('transformer: decoder (causal attention) predicting at the last position. mlp: an MLP over concatenated embeddings. encoder: 1-layer transformer encoder with padding mask, pooling and a classifier head (text).'),
  dModel: z.number().int().min(1).max(4096).default(128).describe('Hidden (embedding) size: the model size axis.'),
  heads: z.number().int().min(1).max(64).default(4).describe('Attention heads; must divide dModel.'),
  dMlp: z.number().int().min(1).max(16384).optional().describe('MLP width (default 4 x dModel).'),
  layers: z.number().int().min(1).max(32).default(1).describe('Depth: decoder blocks (transformer) or hidden layers of width dMlp (mlp). The encoder has 1.'),
  activation: z.enum(['relu', 'gelu']).default('relu').describe('MLP activation (GELU is the tanh approximation, as in GPT).'),
  layerNorm: z.enum(['none', 'pre', 'post']).default('none').describe('LayerNorm placement: none (Nanda et al.), pre (GPT-2) or post (OpenAI GPT, BERT).'),
  initStd: z.union([z.enum(['scaled', 'pytorch', 'gpt']), z.number().gt(0)]).default('scaled')
    .describe('Weight init by name or std. "scaled" (default): normal(0, 1/sqrt(dModel)) weights and embeddings, zero biases (Nanda et al. 2023), so a sweep over dModel gives each size its own std. "pytorch": nn.Linear / nn.Embedding defaults. "gpt": normal(0, 0.02) (OpenAI GPT, BERT). A number: normal(0, that std), zero biases.'),
  pooling: z.enum(['cls', 'mean']).default('mean').describe('encoder only: how token states become one vector.'),
}).describe('The network.');

export const OptimizerSchema = z.strictObject({
  kind: z.literal('adamw').default('adamw'),
  lr: z.number().gt(0).default(1e-3).describe('Learning rate.'),
  weightDecay: z.number().min(0).default(1).describe('Decoupled weight decay (PyTorch AdamW semantics).'),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.98]),
  eps: z.number().gt(0).default(1e-8),
  warmupSteps: z.number().int().min(0).default(0).describe('Linear learning-rate warmup from 0.'),
}).describe('AdamW.');

export const InitSchema = z.strictObject({
  scale: z.number().gt(0).default(1).describe('alpha: after standard init every parameter is multiplied by this (the grokking configuration).'),
}).describe('Initialization.');

export const EarlyStopSchema = z.strictObject({
  enabled: z.boolean().default(true),
  accuracy: z.number().gt(0).lte(1).default(0.99).describe('Validation accuracy that counts as generalized.'),
  holdEvals: z.number().int().min(1).default(5).describe('Stop once validation accuracy has held >= accuracy for this many evals.'),
  plateauSteps: z.number().int().min(1).default(3000).describe('Or stop once train has fit and validation has moved less than plateauDelta over this many steps.'),
  plateauDelta: z.number().min(0).default(0.005),
  // Optional (no default) so that configs without it keep their hash: absent = off.
  forecast: z.union([z.boolean(), z.strictObject({
    confidence: z.number().gt(0).lte(1).default(0.8).describe('Stop when the forecast holds its regime with at least this confidence.'),
    minFraction: z.number().gt(0).lt(1).default(0.25).describe('Never before this fraction of the step budget.'),
  })]).optional()
    .describe('Also stop a run once the early forecast (docs/progress.md) says its regime is decided: true, or { confidence, minFraction }. Off by default.'),
}).describe('Stop a run once its outcome is settled.');

export const ProgressSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Compute the progress measures at every eval (modular tasks only; ignored elsewhere).'),
  keyFrequencies: z.number().int().min(1).max(64).default(5).describe('How many key frequencies (largest embedding norm) the key fraction and the restricted/excluded losses use.'),
}).describe('Mechanistic progress measures of modular arithmetic (Nanda et al. 2023): embedding Fourier spectrum, key frequencies, restricted and excluded losses. See docs/progress.md.');

export const TrainingSchema = z.strictObject({
  steps: z.number().int().min(1).default(10000).describe('Optimizer steps per run.'),
  evalEvery: z.number().int().min(1).default(100).describe('Evaluate train and validation metrics every this many steps.'),
  trainSize: trainSizeField.optional(),
  trainFraction: trainFractionField.optional(),
  batchSize: z.number().int().min(1).nullable().default(null).describe('Minibatch size; null means full batch.'),
  valSize: z.number().int().min(1).optional().describe('Cap on the number of validation examples (a seeded sample of the rest).'),
  checkpointEvery: z.number().int().min(1).default(1000).describe('Write a checkpoint every this many steps.'),
  earlyStop: EarlyStopSchema.prefault({}),
  // Optional (no default) so that configs without it keep their hash: absent = enabled, 5 key frequencies.
  progress: ProgressSchema.optional(),
}).describe('The training loop.');

export const SearchSchema = z.strictObject({
  axis: z.string().default('training.trainSize').describe('The data-size field to search over.'),
  range: z.tuple([z.number().min(0), z.number().min(0)]).describe('[lo, hi] of the data size.'),
  epsilon: z.number().gt(0).lte(1).optional().describe('Accuracy that defines the critical data size (default analysis.epsilon).'),
  tolerance: z.number().gt(0).lt(1).default(0.1).describe('Stop when (hi - lo) / hi is below this.'),
  seeds: z.number().int().min(1).default(2).describe('Seeds per probed size.'),
}).describe('Adaptive critical-data-size search: bisection over data size per group, instead of the whole grid.');

export const AnalysisSchema = z.strictObject({
  epsilon: z.number().gt(0).lte(1).default(0.95).describe('Accuracy threshold of the critical data size.'),
  memorizationResults: z.string().min(1).optional()
    .describe('D_mem for the regime map and the report: a sweep of the memorization task measured elsewhere, as its .grok.json or its results folder, relative to this file (e.g. "memorization-capacity.grok.json"). Its memorization capacity per model size is drawn as D_mem. Not hashed: adding it keeps the results.'),
}).catchall(z.unknown()).describe('Analysis thresholds (see README: regimes).');

export const SweepValue = z.union([z.number(), z.string(), z.boolean()]);
export const SweepSchema = z.record(z.string(), z.array(SweepValue).min(1))
  .describe('Axes: dotted field paths (e.g. "model.dModel", "training.trainSize", "seed") to lists of values. The sweep is their grid product.');

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only').describe('Sweep name; results go to .grok/<name>/ next to the file.'),
  description: z.string().optional(),
  task: TaskSchema,
  model: ModelSchema.prefault({}),
  optimizer: OptimizerSchema.prefault({}),
  init: InitSchema.prefault({}),
  training: TrainingSchema.prefault({}),
  seed: z.number().int().min(0).default(0).describe('Seed of init, data split and (random-label) labels.'),
  sweep: SweepSchema.default({}),
  search: SearchSchema.optional(),
  analysis: AnalysisSchema.prefault({}),
}).describe('A Grok experiment: task, model, optimizer, grokking configuration and sweep axes.');

/** A config with every default filled in. */
export type ExperimentConfig = z.output<typeof ConfigSchema>;
export type TaskConfig = ExperimentConfig['task'];
export type ModelConfig = ExperimentConfig['model'];
export type OptimizerConfig = ExperimentConfig['optimizer'];
export type TrainingConfig = ExperimentConfig['training'];
export type SweepValue = z.output<typeof SweepValue>;
