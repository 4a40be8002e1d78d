// The confirmation modal: shows a `Confirmation` (what will happen, to
// which items), and only then runs the action. While the action runs the
// buttons are busy; an error stays in the modal in plain words.

import Button from '@atlaskit/button/new';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import { Box, Stack, Text, xcss } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useEffect, useRef, useState } from 'react';
import type { Confirmation } from './text';

export interface ConfirmModalProps {
  /** Nothing is shown while null. */
  confirmation: Confirmation | null;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** Extra content between the text and the buttons (a rationale field). */
  children?: React.ReactNode;
  /** Disables the confirm button (the extra content is not valid yet). */
  isConfirmDisabled?: boolean;
}

function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return 'Something went wrong. Nothing was changed; try again.';
}

// Inside an iframe sized to its content a modal only has the iframe's height,
// and it is drawn at the top of the iframe, which may be scrolled out of the
// Jira page's view. While a dialog is open the page is made tall enough for
// the whole dialog (the frame grows through the bridge's resize, as Forge's
// iframe-resizer does), and once the frame has grown the dialog's band at the
// frame's top is scrolled into the Jira page's view (`scrollIntoView` reaches
// the page around the frame). Base.css caps a dialog to that band; its body
// scrolls when the content is taller.
const roomForDialog = xcss({ minHeight: '44rem' });

/** How long to wait for the host to grow the frame before showing the dialog anyway (ms). */
const GROW_WAIT_MS = 1000;

/**
 * Scrolls the dialog band into the Jira page's view unless it is wholly in
 * view already (an IntersectionObserver's implicit root is the page's
 * viewport, even from inside a frame): centred, so a band taller than a
 * short viewport still shows the dialog at its top and its buttons.
 */
function bringIntoView(el: HTMLElement): void {
  if (typeof IntersectionObserver === 'undefined') {
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    return;
  }
  const io = new IntersectionObserver(
    (entries) => {
      io.disconnect();
      const seen = entries[entries.length - 1];
      if (!seen || seen.intersectionRatio < 0.99) el.scrollIntoView({ block: 'center', inline: 'nearest' });
    },
    { threshold: [0, 0.99, 1] },
  );
  io.observe(el);
}

/** Render while any dialog of the module is open (ConfirmModal does it itself). */
export function DialogRoom(): React.JSX.Element {
  const band = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = band.current;
    if (!el || typeof el.scrollIntoView !== 'function') return undefined;
    const bottom = el.getBoundingClientRect().bottom;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (): void => {
      if (done) return;
      done = true;
      window.removeEventListener('resize', onResize);
      if (timer !== undefined) clearTimeout(timer);
      bringIntoView(el);
    };
    const onResize = (): void => {
      if (window.innerHeight >= bottom) show();
    };
    if (window.innerHeight >= bottom) show();
    else {
      window.addEventListener('resize', onResize);
      timer = setTimeout(show, GROW_WAIT_MS);
    }
    return () => {
      done = true;
      window.removeEventListener('resize', onResize);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
  return (
    <>
      <Box xcss={roomForDialog} testId="dialog-room" />
      <div ref={band} className="aigis-dialog-band" aria-hidden="true" />
    </>
  );
}

export function ConfirmModal({ confirmation, onConfirm, onClose, children, isConfirmDisabled }: ConfirmModalProps): React.JSX.Element {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = (): void => {
    if (busy) return;
    setError(null);
    onClose();
  };
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setBusy(false);
      onClose();
    } catch (e) {
      setBusy(false);
      setError(errorText(e));
    }
  };
  return (
    <>
    {confirmation && <DialogRoom />}
    <ModalTransition>
      {confirmation && (
        <Modal onClose={close} width="medium" testId="confirm-modal">
          <ModalHeader>
            <ModalTitle appearance={confirmation.appearance === 'primary' ? undefined : confirmation.appearance}>{confirmation.title}</ModalTitle>
          </ModalHeader>
          <ModalBody>
            <Stack space="space.150">
              {confirmation.body.map((p) => (
                <Text as="p" key={p}>
                  {p}
                </Text>
              ))}
              {confirmation.items.length > 0 && (
                <ul aria-label="Items this acts on">
                  {confirmation.items.map((i) => (
                    <li key={i}>
                      <Text>{i}</Text>
                    </li>
                  ))}
                </ul>
              )}
              {children}
              {error && (
                <SectionMessage appearance="error" title="Not done">
                  <Text>{error}</Text>
                </SectionMessage>
              )}
            </Stack>
          </ModalBody>
          <ModalFooter>
            <Button appearance="subtle" onClick={close} isDisabled={busy}>
              Cancel
            </Button>
            <Button
              appearance={confirmation.appearance}
              onClick={() => void run()}
              isLoading={busy}
              isDisabled={isConfirmDisabled}
              testId="confirm-button"
            >
              {confirmation.confirmLabel}
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </ModalTransition>
    </>
  );
}
