// Tiny stand-in for @forge/events for the smoke test.
export class Queue {
  constructor({ key }) {
    this.key = key;
  }
  async push() {
    return { jobId: `${this.key}-job` };
  }
}
