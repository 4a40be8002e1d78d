// The labels and form helpers moved to lib/labels.ts (shared with the Forge modules).
export * from './lib/labels';
