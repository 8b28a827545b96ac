export * from './schema.ts';
export { validate, loadConfigFile, formatProblems, type ConfigProblem, type ValidationResult } from './validate.ts';
