// Tiny stand-in for @forge/resolver: what getDefinitions() returns is called
// by Forge with { call: { functionKey, payload }, context }.
export default class Resolver {
  constructor() {
    this.functions = {};
  }
  define(key, fn) {
    this.functions[key] = fn;
    return this;
  }
  getDefinitions() {
    return async ({ call, context }) => {
      const fn = this.functions[call.functionKey];
      if (!fn) throw new Error(`no resolver defined for ${call.functionKey}`);
      return fn({ payload: call.payload, context });
    };
  }
}
