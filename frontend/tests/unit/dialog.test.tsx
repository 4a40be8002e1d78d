import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, render } from '@testing-library/react';
import { DialogRoom } from '../../src/lib/confirm/ConfirmModal';

type Proto = { scrollIntoView: unknown; getBoundingClientRect: unknown };

/** The frame's height as the host set it (the iframe's viewport). */
function frameHeight(height: number): void {
  (window as unknown as { happyDOM: { setViewport(v: { width: number; height: number }): void } }).happyDOM.setViewport({ width: 800, height });
  act(() => {
    window.dispatchEvent(new Event('resize'));
  });
}

/**
 * Records the band's scrollIntoView calls; the band is 704 px tall at the
 * frame's top, and `seen` of it is in the page's viewport (what an
 * IntersectionObserver reports).
 */
function watchBand(seen = 0): { calls: unknown[]; restore: () => void } {
  const g = globalThis as unknown as { IntersectionObserver: unknown };
  const RealIO = g.IntersectionObserver;
  g.IntersectionObserver = class {
    constructor(private readonly cb: (e: { intersectionRatio: number }[]) => void) {}
    observe(): void {
      this.cb([{ intersectionRatio: seen }]);
    }
    disconnect(): void {}
  };
  const proto = HTMLElement.prototype as unknown as Proto;
  const { scrollIntoView, getBoundingClientRect } = proto;
  const calls: unknown[] = [];
  const isBand = (el: HTMLElement) => el.classList.contains('aigis-dialog-band');
  proto.scrollIntoView = function (this: HTMLElement, o: unknown) {
    if (isBand(this)) calls.push(o);
  };
  proto.getBoundingClientRect = function (this: HTMLElement) {
    if (isBand(this)) return { top: 0, bottom: 704, height: 704, left: 0, right: 1, width: 1, x: 0, y: 0, toJSON: () => ({}) } as DOMRect;
    return (getBoundingClientRect as (this: HTMLElement) => DOMRect).call(this);
  };
  return {
    calls,
    restore: () => {
      g.IntersectionObserver = RealIO;
      proto.scrollIntoView = scrollIntoView;
      proto.getBoundingClientRect = getBoundingClientRect;
    },
  };
}

test('DialogRoom makes room, waits for the frame to grow, then brings the dialog band into view once', () => {
  const band = watchBand();
  frameHeight(300);
  try {
    const r = render(<DialogRoom />);
    assert.ok(r.getByTestId('dialog-room'), 'the in-flow room that grows the frame');
    assert.deepEqual(band.calls, [], 'not while the frame is shorter than the dialog band');
    frameHeight(600);
    assert.deepEqual(band.calls, [], 'still too short');
    frameHeight(760);
    assert.deepEqual(band.calls, [{ block: 'center', inline: 'nearest' }]);
    frameHeight(900);
    assert.equal(band.calls.length, 1, 'once per opening');
    r.unmount();
  } finally {
    band.restore();
  }
});

test('DialogRoom in a frame already tall enough scrolls at once; unmounted before the frame grows, never', () => {
  const band = watchBand();
  try {
    frameHeight(900);
    const a = render(<DialogRoom />);
    assert.equal(band.calls.length, 1);
    a.unmount();
    frameHeight(300);
    const b = render(<DialogRoom />);
    b.unmount();
    frameHeight(900);
    assert.equal(band.calls.length, 1, 'a closed dialog does not scroll the page');
  } finally {
    band.restore();
  }
});

test('DialogRoom leaves the page where it is when the dialog band is already wholly in view', () => {
  const band = watchBand(1);
  try {
    frameHeight(900);
    const r = render(<DialogRoom />);
    assert.deepEqual(band.calls, []);
    r.unmount();
  } finally {
    band.restore();
  }
});
