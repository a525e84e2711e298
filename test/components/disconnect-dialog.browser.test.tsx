import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { userEvent as browserUserEvent } from 'vitest/browser';
import { createRef, forwardRef, useState, type ComponentPropsWithRef, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';

import { XeroConnectionNetworkError } from '../../src/client';
import {
  DisconnectDialog,
  DisconnectDialogCancel,
  DisconnectDialogConfirm,
  DisconnectDialogContent,
  DisconnectDialogDescription,
  DisconnectDialogError,
  DisconnectDialogRoot,
  DisconnectDialogTitle,
  DisconnectDialogTrigger,
} from '../../src/components/disconnect-dialog';
import { expectNoAxeViolations, setTheme } from '../support/axe';

const ORGANISATION = 'Sunrise Care Pty Ltd';
const TITLE = `Disconnect ${ORGANISATION} from Xero Billing?`;
const DESCRIPTION = 'Exports to Xero stop until you connect again. Nothing in Xero is deleted.';

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset.theme;
  vi.restoreAllMocks();
});

/** A promise the test settles by hand, to hold the dialog in its pending state. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function renderDialog(props: Partial<ComponentPropsWithRef<typeof DisconnectDialog>> = {}) {
  const onConfirm = vi.fn<() => unknown>();
  const onCancel = vi.fn<() => void>();
  const user = userEvent.setup();
  const view = render(
    <DisconnectDialog
      organisationName={ORGANISATION}
      integrationTitle="Xero Billing"
      onConfirm={onConfirm}
      onCancel={onCancel}
      trigger={<button type="button">Disconnect my account</button>}
      {...props}
    />,
  );
  return { ...view, user, onConfirm, onCancel, trigger: () => screen.getByRole('button', { name: 'Disconnect my account' }) };
}

async function openDialog(user: ReturnType<typeof userEvent.setup>): Promise<HTMLElement> {
  await user.click(screen.getByRole('button', { name: 'Disconnect my account' }));
  return screen.findByRole('alertdialog');
}

/** Lets the enter transition finish, so axe measures the colours a person actually sees. */
async function settleAnimations(): Promise<void> {
  const finite = document.getAnimations().filter((animation) => animation.effect?.getTiming().iterations !== Infinity);
  // allSettled: an animation cancelled meanwhile (the spinner removed when the request fails)
  // rejects `finished` with "AbortError: The user aborted a request.", which is not a failure.
  await Promise.allSettled(finite.map((animation) => animation.finished));
}

describe('DisconnectDialog', () => {
  it('opens from the trigger with a title naming the organisation and a plain description, focus on "No, keep it"', async () => {
    const { user } = renderDialog();
    const dialog = await openDialog(user);

    expect(dialog).toHaveAccessibleName(TITLE);
    expect(dialog).toHaveAccessibleDescription(DESCRIPTION);
    expect(screen.getByRole('button', { name: 'Yes, disconnect' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'No, keep it' })).toHaveFocus();
    expect(dialog).toHaveAttribute('data-state', 'open');
    expect(dialog).toHaveAttribute('data-confirm-state', 'idle');
  });

  it('names "your Xero organisation" when the organisation is unknown', async () => {
    const { user } = renderDialog({ organisationName: null });
    expect(await openDialog(user)).toHaveAccessibleName('Disconnect your Xero organisation from Xero Billing?');
  });

  it('"No, keep it" closes without disconnecting and returns focus to the trigger', async () => {
    const { user, onConfirm, onCancel, trigger } = renderDialog();
    await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'No, keep it' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(onConfirm).not.toHaveBeenCalled();
    expect(onCancel).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(trigger()).toHaveFocus());
  });

  it('Escape closes it when nothing is in progress', async () => {
    const { user, onConfirm, onCancel, trigger } = renderDialog();
    await openDialog(user);

    await user.keyboard('{Escape}');

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(onConfirm).not.toHaveBeenCalled();
    expect(onCancel).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(trigger()).toHaveFocus());
  });

  it('while disconnecting shows "Disconnecting…", ignores more clicks, and Escape and "No" do not close it', async () => {
    const request = deferred();
    const { user, onConfirm, onCancel } = renderDialog();
    onConfirm.mockReturnValue(request.promise);
    const dialog = await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));

    const confirm = screen.getByRole('button', { name: 'Disconnecting…' });
    expect(confirm).toHaveAttribute('aria-disabled', 'true');
    expect(confirm).toHaveFocus();
    expect(dialog).toHaveAttribute('aria-busy', 'true');
    expect(dialog).toHaveAttribute('data-confirm-state', 'pending');

    await user.click(confirm);
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'No, keep it' }));

    expect(screen.getByRole('alertdialog')).toBeVisible();
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(onCancel).not.toHaveBeenCalled();

    request.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('shows a failure inside the dialog, and trying again closes it on success with focus back on the trigger', async () => {
    const first = deferred();
    const second = deferred();
    const { user, onConfirm, onCancel, trigger } = renderDialog();
    onConfirm.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const dialog = await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
    first.reject(new Error('The portal is down for maintenance'));

    const alert = await screen.findByRole('alert');
    expect(dialog).toContainElement(alert);
    expect(alert).toHaveTextContent(
      "The disconnection didn't go through: The portal is down for maintenance. Nothing changed. Try again.",
    );
    expect(dialog).toHaveAttribute('data-confirm-state', 'failed');
    expect(dialog).not.toHaveAttribute('aria-busy');

    const retry = screen.getByRole('button', { name: 'Try again' });
    expect(retry).not.toHaveAttribute('aria-disabled');
    expect(retry).toHaveFocus();
    await user.click(retry);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Disconnecting…' })).toBeVisible();

    second.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(onConfirm).toHaveBeenCalledTimes(2);
    expect(onCancel).not.toHaveBeenCalled();
    await waitFor(() => expect(trigger()).toHaveFocus());
  });

  it("explains this package's errors in plain words, never with the endpoint or URL", async () => {
    const { user, onConfirm } = renderDialog();
    onConfirm.mockRejectedValue(
      new XeroConnectionNetworkError('DELETE /connection', 'https://portal.example/api/xero', new TypeError('Failed to fetch')),
    );
    await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("The disconnection didn't go through: The portal's server couldn't be reached.");
    expect(alert.textContent).not.toMatch(/DELETE|https?:|Failed to fetch/);
  });

  it('a function that throws straight away is shown as a failure too', async () => {
    const { user, onConfirm } = renderDialog();
    onConfirm.mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));

    expect(await screen.findByRole('alert')).toHaveTextContent("Something went wrong on the portal's server.");
    expect(screen.getByRole('alert').textContent).not.toMatch(/Cannot read/);
  });

  it.each([
    ['an aborted request', new DOMException('signal is aborted without reason', 'AbortError')],
    ['an HTTP library error', Object.assign(new Error('Request failed with status code 500'), { name: 'AxiosError' })],
  ])('%s from the host is shown in plain words, not its developer message', async (_case, error) => {
    const { user, onConfirm } = renderDialog();
    onConfirm.mockRejectedValue(error);
    await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));

    expect(await screen.findByRole('alert')).toHaveTextContent("Something went wrong on the portal's server.");
    expect(screen.getByRole('alert').textContent).not.toMatch(/aborted|status code/);
  });

  it('a double click on "Yes, disconnect" disconnects once', async () => {
    const request = deferred();
    const { user, onConfirm } = renderDialog();
    onConfirm.mockReturnValue(request.promise);
    await openDialog(user);

    await user.dblClick(screen.getByRole('button', { name: 'Yes, disconnect' }));

    expect(onConfirm).toHaveBeenCalledTimes(1);
    request.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('two clicks in the same task, before React re-renders, still disconnect once', async () => {
    const request = deferred();
    const { user, onConfirm } = renderDialog();
    onConfirm.mockReturnValue(request.promise);
    await openDialog(user);
    const confirm = screen.getByRole('button', { name: 'Yes, disconnect' });

    act(() => {
      confirm.click();
      confirm.click();
    });

    expect(onConfirm).toHaveBeenCalledTimes(1);
    request.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('closes at once when onConfirm returns no promise', async () => {
    const { user, onConfirm } = renderDialog();
    await openDialog(user);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('can be controlled with open and onOpenChange', async () => {
    const onOpenChange = vi.fn<(open: boolean) => void>();
    const user = userEvent.setup();
    function Host() {
      const [open, setOpen] = useState(false);
      return (
        <>
          <button type="button" onClick={() => setOpen(true)}>
            Open from the host
          </button>
          <DisconnectDialog
            organisationName={ORGANISATION}
            integrationTitle="Xero Billing"
            open={open}
            onOpenChange={(next) => {
              onOpenChange(next);
              setOpen(next);
            }}
            onConfirm={() => Promise.resolve()}
          />
        </>
      );
    }
    render(<Host />);
    expect(screen.queryByRole('alertdialog')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Open from the host' }));
    expect(await screen.findByRole('alertdialog')).toHaveAccessibleName(TITLE);

    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(onOpenChange).toHaveBeenCalledWith(false);
  });

  it('stays open while controlled open is true, whatever the user presses', async () => {
    const onOpenChange = vi.fn<(open: boolean) => void>();
    const user = userEvent.setup();
    render(
      <DisconnectDialog
        organisationName={ORGANISATION}
        integrationTitle="Xero Billing"
        open
        onOpenChange={onOpenChange}
        onConfirm={vi.fn()}
      />,
    );
    await user.click(await screen.findByRole('button', { name: 'No, keep it' }));

    expect(onOpenChange).toHaveBeenCalledWith(false);
    expect(screen.getByRole('alertdialog')).toBeVisible();
  });

  it('starts open with defaultOpen', async () => {
    const { onConfirm } = renderDialog({ defaultOpen: true });
    expect(await screen.findByRole('alertdialog')).toHaveAccessibleName(TITLE);
    expect(screen.getByRole('button', { name: 'No, keep it' })).toHaveFocus();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('works from the keyboard alone: Tab stays inside, Enter and Space activate', async () => {
    const request = deferred();
    const { user, onConfirm } = renderDialog();
    onConfirm.mockReturnValue(request.promise);

    await user.tab();
    await user.keyboard('{Enter}');
    await screen.findByRole('alertdialog');
    const cancel = screen.getByRole('button', { name: 'No, keep it' });
    const confirm = screen.getByRole('button', { name: 'Yes, disconnect' });
    expect(cancel).toHaveFocus();

    await user.tab();
    expect(confirm).toHaveFocus();
    await user.tab();
    expect(cancel).toHaveFocus();
    await user.tab({ shift: true });
    expect(confirm).toHaveFocus();

    await user.keyboard(' ');
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(confirm).toHaveAccessibleName('Disconnecting…');
    expect(confirm).toHaveFocus();
    request.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('uses overridden messages and keeps the defaults for the rest', async () => {
    const request = deferred();
    const { user, onConfirm } = renderDialog({
      messages: {
        'dialog.title': ({ organisation }) => `Stop sending invoices from ${organisation}?`,
        'dialog.confirm': 'Disconnect now',
        'dialog.pending': 'Working on it…',
      },
    });
    onConfirm.mockReturnValue(request.promise);
    const dialog = await openDialog(user);

    expect(dialog).toHaveAccessibleName(`Stop sending invoices from ${ORGANISATION}?`);
    expect(dialog).toHaveAccessibleDescription(DESCRIPTION);
    expect(screen.getByRole('button', { name: 'No, keep it' })).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Disconnect now' }));
    expect(screen.getByRole('button', { name: 'Working on it…' })).toBeVisible();
    request.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('unstyled renders no styling hooks, so the default stylesheet leaves it alone', async () => {
    const { user } = renderDialog({ unstyled: true });
    const dialog = await openDialog(user);

    expect(document.querySelector('[data-xc-styled], [data-xc-button], [data-xc-spinner]')).toBeNull();
    expect(dialog).toHaveAttribute('data-slot', 'disconnect-dialog-content');
    expect(getComputedStyle(dialog).position).toBe('static');
    expect(getComputedStyle(screen.getByRole('button', { name: 'Yes, disconnect' })).backgroundColor).not.toBe(
      'rgb(180, 35, 24)',
    );
  });

  it('is styled by default from the theme, light and dark', async () => {
    const { user } = renderDialog();
    const dialog = await openDialog(user);
    const confirm = screen.getByRole('button', { name: 'Yes, disconnect' });

    // The real pointer may rest where the button opened (left there by an earlier test): its
    // :hover colour is not the one under test.
    await browserUserEvent.hover(confirm);
    await browserUserEvent.unhover(confirm);
    // Buttons transition their colours, so a theme switch is read once the transition is over
    // (read at once, a loaded machine saw rgb(176, 35, 24) on the way to rgb(180, 35, 24)).
    const settled = () => Promise.allSettled(document.getAnimations().map((animation) => animation.finished));
    setTheme('light');
    await settled();
    expect(getComputedStyle(dialog).backgroundColor).toBe('rgb(255, 255, 255)');
    expect(getComputedStyle(confirm).backgroundColor).toBe('rgb(180, 35, 24)');
    setTheme('dark');
    await settled();
    expect(getComputedStyle(dialog).backgroundColor).toBe('rgb(27, 31, 39)');
    expect(getComputedStyle(dialog).colorScheme).toBe('dark');
  });

  it('gives the same colours for an OS dark preference as for data-theme="dark"', () => {
    // Headless Chromium cannot be switched to a dark OS preference here, so compare the two rule
    // blocks themselves: they are written out twice and must not drift apart.
    const declarations = (rule: CSSStyleRule) =>
      Object.fromEntries(
        Array.from(rule.style)
          .filter((name) => name.startsWith('--xc-'))
          .map((name) => [name, rule.style.getPropertyValue(name).trim()]),
      );
    const rules = Array.from(document.styleSheets).flatMap((sheet) => Array.from(sheet.cssRules));
    const mediaDark = rules
      .filter((rule): rule is CSSMediaRule => rule instanceof CSSMediaRule && rule.conditionText.includes('prefers-color-scheme: dark'))
      .flatMap((rule) => Array.from(rule.cssRules))
      .find((rule): rule is CSSStyleRule => rule instanceof CSSStyleRule && rule.selectorText.includes(':root'));
    const forcedDark = rules.find(
      (rule): rule is CSSStyleRule => rule instanceof CSSStyleRule && /^:where\(\[data-theme="?'?dark/.test(rule.selectorText),
    );

    if (!mediaDark || !forcedDark) throw new Error('theme.css is not loaded, or its dark blocks were renamed');
    expect(Object.keys(declarations(mediaDark)).length).toBeGreaterThan(10);
    expect(declarations(mediaDark)).toEqual(declarations(forcedDark));
  });

  it('merges className with its own hooks and forwards the ref to the dialog element', async () => {
    const ref = createRef<HTMLDivElement>();
    const { user } = renderDialog({ className: 'portal-dialog', ref });
    const dialog = await openDialog(user);

    expect(dialog).toHaveClass('portal-dialog');
    expect(dialog).toHaveAttribute('data-xc-styled');
    expect(ref.current).toBe(dialog);
  });

  it('composes from parts into a custom layout, with refs and handlers passed through', async () => {
    const user = userEvent.setup();
    const confirmRef = createRef<HTMLButtonElement>();
    const titleRef = createRef<HTMLHeadingElement>();
    const onConfirmClick = vi.fn();
    const request = deferred();
    const onConfirm = vi.fn(() => request.promise);
    render(
      <DisconnectDialogRoot onConfirm={onConfirm}>
        <DisconnectDialogTrigger className="host-trigger">Remove Xero</DisconnectDialogTrigger>
        <DisconnectDialogContent className="host-content">
          <header>
            <DisconnectDialogTitle ref={titleRef}>Remove Xero from the rostering portal?</DisconnectDialogTitle>
          </header>
          <DisconnectDialogDescription />
          <DisconnectDialogError />
          <DisconnectDialogConfirm ref={confirmRef} className="host-confirm" onClick={onConfirmClick}>
            Remove
          </DisconnectDialogConfirm>
          <DisconnectDialogCancel>Keep Xero</DisconnectDialogCancel>
        </DisconnectDialogContent>
      </DisconnectDialogRoot>,
    );

    const trigger = screen.getByRole('button', { name: 'Remove Xero' });
    expect(trigger).toHaveAttribute('data-slot', 'disconnect-dialog-trigger');
    expect(trigger).toHaveClass('host-trigger');
    await user.click(trigger);
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog).toHaveAccessibleName('Remove Xero from the rostering portal?');
    expect(dialog).toHaveAccessibleDescription(DESCRIPTION);
    expect(titleRef.current).toHaveAttribute('data-slot', 'disconnect-dialog-title');
    expect(screen.getByRole('button', { name: 'Keep Xero' })).toHaveFocus();

    const confirm = screen.getByRole('button', { name: 'Remove' });
    expect(confirmRef.current).toBe(confirm);
    expect(confirm).toHaveClass('host-confirm');
    expect(confirm).toHaveAttribute('data-xc-button', 'danger');
    await user.click(confirm);
    expect(onConfirmClick).toHaveBeenCalledTimes(1);
    expect(onConfirm).toHaveBeenCalledTimes(1);
    request.resolve();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await waitFor(() => expect(trigger).toHaveFocus());
  });

  it("lets a host's onClick stop the confirm with preventDefault", async () => {
    const onConfirm = vi.fn();
    const user = userEvent.setup();
    render(
      <DisconnectDialogRoot defaultOpen onConfirm={onConfirm}>
        <DisconnectDialogContent aria-describedby={undefined}>
          <DisconnectDialogTitle>Disconnect?</DisconnectDialogTitle>
          <DisconnectDialogCancel />
          <DisconnectDialogConfirm onClick={(event) => event.preventDefault()} />
        </DisconnectDialogContent>
      </DisconnectDialogRoot>,
    );
    await user.click(await screen.findByRole('button', { name: 'Yes, disconnect' }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.getByRole('alertdialog')).toBeVisible();
  });

  it('a host re-rendering the root (an inline onConfirm each time) does not re-render the parts', async () => {
    let triggerRenders = 0;
    const CountingButton = forwardRef<HTMLButtonElement, ComponentPropsWithRef<'button'>>(function CountingButton(props, ref) {
      triggerRenders += 1;
      return <button type="button" {...props} ref={ref} />;
    });
    function Host({ children }: { children: ReactNode }) {
      const [renders, setRenders] = useState(0);
      return (
        <>
          <button type="button" onClick={() => setRenders(renders + 1)}>
            Re-render {renders}
          </button>
          <DisconnectDialogRoot onConfirm={() => undefined}>{children}</DisconnectDialogRoot>
        </>
      );
    }
    // The trigger is the same element each time, so only a new context value could re-render it.
    render(
      <Host>
        <DisconnectDialogTrigger asChild>
          <CountingButton>Disconnect</CountingButton>
        </DisconnectDialogTrigger>
      </Host>,
    );
    const rendersAtMount = triggerRenders;
    await userEvent.click(screen.getByRole('button', { name: 'Re-render 0' }));
    await userEvent.click(screen.getByRole('button', { name: 'Re-render 1' }));
    expect(screen.getByRole('button', { name: 'Re-render 2' })).toBeVisible();
    expect(triggerRenders).toBe(rendersAtMount);
  });

  it('says which part was used outside DisconnectDialogRoot', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<DisconnectDialogConfirm />)).toThrow(
      '`DisconnectDialogConfirm` must be used within `DisconnectDialogRoot`',
    );
    expect(() => render(<DisconnectDialogError />)).toThrow('`DisconnectDialogError` must be used within `DisconnectDialogRoot`');
  });

  describe('accessibility (axe, real colours)', () => {
    it.each(['light', 'dark'] as const)('has no violations when open, %s theme', async (theme) => {
      setTheme(theme);
      const { user } = renderDialog();
      await openDialog(user);
      await settleAnimations();
      await expectNoAxeViolations();
    });

    it.each(['light', 'dark'] as const)('has no violations while disconnecting, %s theme', async (theme) => {
      setTheme(theme);
      const request = deferred();
      const { user, onConfirm } = renderDialog();
      onConfirm.mockReturnValue(request.promise);
      await openDialog(user);
      await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
      await settleAnimations();
      await expectNoAxeViolations();
      request.resolve();
      await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    });

    it.each(['light', 'dark'] as const)('has no violations after a failure, %s theme', async (theme) => {
      setTheme(theme);
      const { user, onConfirm } = renderDialog();
      onConfirm.mockRejectedValue(new Error('The portal is down for maintenance.'));
      await openDialog(user);
      await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
      await screen.findByRole('alert');
      await settleAnimations();
      await expectNoAxeViolations();
    });
  });
});
