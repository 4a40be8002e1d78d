// Tiny stand-in for @forge/kvs for the smoke test: an empty store that
// answers every read with "absent" and keeps plain sets in a Map.
const store = new Map();
const cond = (condition) => (...values) => ({ condition, values });
export const WhereConditions = {
  beginsWith: cond('BEGINS_WITH'), between: cond('BETWEEN'), equalTo: cond('EQUAL_TO'), greaterThan: cond('GREATER_THAN'),
  greaterThanEqualTo: cond('GREATER_THAN_EQUAL_TO'), lessThan: cond('LESS_THAN'), lessThanEqualTo: cond('LESS_THAN_EQUAL_TO'),
};
export const FilterConditions = {
  ...WhereConditions, contains: cond('CONTAINS'), notContains: cond('NOT_CONTAINS'), notEqualTo: cond('NOT_EQUAL_TO'),
  exists: () => ({ condition: 'EXISTS', values: [true] }), notExists: () => ({ condition: 'NOT_EXISTS', values: [true] }),
};
export const Sort = { ASC: 'ASC', DESC: 'DESC' };
export class Filter {
  constructor() {
    this.items = [];
  }
  and(property, clause) {
    this.items.push({ property, ...clause });
    return this;
  }
}
const emptyQuery = () => {
  const q = { where: () => q, index: () => q, filters: () => q, sort: () => q, cursor: () => q, limit: () => q, getMany: async () => ({ results: [] }) };
  return q;
};
export const kvs = {
  get: async (key) => store.get(key),
  set: async (key, value) => void store.set(key, value),
  delete: async (key) => void store.delete(key),
  query: () => emptyQuery(),
  getSecret: async () => undefined,
  setSecret: async () => undefined,
  deleteSecret: async () => undefined,
  entity: () => ({ get: async () => undefined, set: async () => undefined, delete: async () => undefined, query: () => emptyQuery() }),
  transact: () => {
    const t = { set: () => t, delete: () => t, check: () => t, execute: async () => undefined };
    return t;
  },
};
export default kvs;
