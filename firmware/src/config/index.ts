export * from './schema.ts';
export { validate, loadConfigFile, readConfigDocument, formatProblems, type ConfigProblem, type ValidationResult } from './validate.ts';
export { applyEnvOverrides, ENV_PREFIX } from './env.ts';
