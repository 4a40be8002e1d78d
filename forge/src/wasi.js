// The few WASI 0.2 interfaces Rust's standard library makes the components
// import (environment, exit, stdio, streams, poll, error, random), on plain
// JavaScript. The components do their I/O through the aigis:forge imports;
// WASI only carries panics and stray prints (to the function log) and
// randomness. jco's default shim (@bytecodealliance/preview2-shim) runs its
// streams on a worker thread loaded by URL, which Forge's bundler does not
// ship; nothing here needs a thread or a file.

import { webcrypto } from 'node:crypto';

class WasiError {
  constructor(message) {
    this.message = message;
  }
  toDebugString() {
    return this.message;
  }
}

class Pollable {
  ready() {
    return true;
  }
  block() {}
}

class InputStream {
  read() {
    throw { tag: 'closed' };
  }
  blockingRead() {
    throw { tag: 'closed' };
  }
  skip() {
    throw { tag: 'closed' };
  }
  blockingSkip() {
    throw { tag: 'closed' };
  }
  subscribe() {
    return new Pollable();
  }
}

/** A line-buffered sink into the function log. */
class LineSink {
  constructor(write) {
    this.write = write;
    this.decoder = new TextDecoder();
    this.pending = '';
  }
  push(bytes) {
    this.pending += this.decoder.decode(bytes, { stream: true });
    let nl;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.write(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
  }
  flush() {
    if (this.pending) this.write(this.pending);
    this.pending = '';
  }
}

class OutputStream {
  constructor(sink) {
    this.sink = sink;
  }
  checkWrite() {
    return 1048576n;
  }
  write(contents) {
    this.sink.push(contents);
  }
  blockingWriteAndFlush(contents) {
    this.sink.push(contents);
    this.sink.flush();
  }
  flush() {
    this.sink.flush();
  }
  blockingFlush() {
    this.sink.flush();
  }
  subscribe() {
    return new Pollable();
  }
  writeZeroes(len) {
    this.sink.push(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len) {
    this.writeZeroes(len);
    this.sink.flush();
  }
  splice() {
    throw { tag: 'closed' };
  }
  blockingSplice() {
    throw { tag: 'closed' };
  }
}

class TerminalInput {}
class TerminalOutput {}

const stdoutSink = new LineSink((line) => console.log(line));
const stderrSink = new LineSink((line) => console.error(line));

export const environment = {
  getEnvironment: () => [],
  getArguments: () => [],
  initialCwd: () => undefined,
};

export const exit = {
  exit(status) {
    throw new Error(`Aigis component called exit (${status && status.tag === 'err' ? 'failure' : 'success'})`);
  },
};

export const error = { Error: WasiError };

export const poll = {
  Pollable,
  poll: (list) => new Uint32Array(list.map((_, i) => i)),
};

export const streams = { InputStream, OutputStream };

export const stdin = { getStdin: () => new InputStream() };
export const stdout = { getStdout: () => new OutputStream(stdoutSink) };
export const stderr = { getStderr: () => new OutputStream(stderrSink) };

export const terminalInput = { TerminalInput };
export const terminalOutput = { TerminalOutput };
export const terminalStdin = { getTerminalStdin: () => undefined };
export const terminalStdout = { getTerminalStdout: () => undefined };
export const terminalStderr = { getTerminalStderr: () => undefined };

function randomBytes(len) {
  const out = new Uint8Array(Number(len));
  for (let i = 0; i < out.length; i += 65536) webcrypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

export const random = {
  getRandomBytes: randomBytes,
  getRandomU64: () => new DataView(randomBytes(8).buffer).getBigUint64(0),
};

// `wasi:random/insecure-seed`: what std's HashMap seeds itself with (some
// dependencies use HashMap). Drawn from the same CSPRNG once, when this module
// loads, and the same for the process's life, as wasmtime gives one value per
// WASI context: then `wasi:random/random` draws the same bytes in the same
// order on both hosts (the conformance tests seed both alike).
const INSECURE_SEED = new DataView(randomBytes(16).buffer);
export const insecureSeed = {
  insecureSeed: () => [INSECURE_SEED.getBigUint64(0), INSECURE_SEED.getBigUint64(8)],
};
