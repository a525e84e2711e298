import type { Meta, StoryObj } from '@storybook/react-vite';
import { useRef, useState } from 'react';
import { expect, fn, waitFor, within } from 'storybook/test';

import {
  DisconnectDialog,
  DisconnectDialogCancel,
  DisconnectDialogConfirm,
  DisconnectDialogContent,
  DisconnectDialogDescription,
  DisconnectDialogError,
  DisconnectDialogFooter,
  DisconnectDialogRoot,
  DisconnectDialogTitle,
  DisconnectDialogTrigger,
} from '../src';

// The confirmation on its own, as a host uses it without the card: uncontrolled with a trigger,
// controlled from elsewhere, and composed from its parts. `onConfirm` stands in for the host's
// disconnect: it may return a promise that keeps the dialog pending, or reject to show a failure.

/** The dialog is portaled to <body>, outside the story's canvas. */
function page(canvasElement: HTMLElement) {
  return within(canvasElement.ownerDocument.body);
}

/** A dialog that is open from the start covers the docs page: show those in their own frame. */
const inOwnFrame = { docs: { story: { inline: false, iframeHeight: 420 } } };

const meta = {
  title: 'DisconnectDialog',
  component: DisconnectDialog,
  args: {
    organisationName: 'Sunrise Care Group',
    integrationTitle: 'Xero Billing',
    // Text becomes the default trigger button; pass your own element to use it instead (asChild).
    trigger: 'Disconnect my account',
    onConfirm: fn(),
    onCancel: fn(),
    onOpenChange: fn(),
  },
  argTypes: {
    trigger: { control: 'text' },
    messages: { control: 'object' },
  },
} satisfies Meta<typeof DisconnectDialog>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Closed: only the trigger. "No, keep it" closes the dialog and focus returns to the trigger. */
export const WithTrigger: Story = {
  play: async ({ canvas, canvasElement, userEvent, args }) => {
    await userEvent.click(canvas.getByRole('button', { name: 'Disconnect my account' }));
    await userEvent.click(await page(canvasElement).findByRole('button', { name: 'No, keep it' }));
    await expect(args.onCancel).toHaveBeenCalledOnce();
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Disconnect my account' })).toHaveFocus());
  },
};

/** Open: focus starts on "No, keep it", the safe choice. */
export const Open: Story = {
  args: { defaultOpen: true },
  parameters: inOwnFrame,
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(page(canvasElement).getByRole('button', { name: 'No, keep it' })).toHaveFocus());
  },
};

/** "Yes, disconnect" while `onConfirm`'s promise is pending: progress, and nothing closes the dialog. */
export const Pending: Story = {
  args: { defaultOpen: true, onConfirm: fn(() => new Promise<void>(() => {})) },
  parameters: inOwnFrame,
  play: async ({ canvasElement, userEvent }) => {
    const dialog = within(await page(canvasElement).findByRole('alertdialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Yes, disconnect' }));
    // Retried: on a loaded machine the dialog's fade-in can still be at opacity 0 on the first look.
    await waitFor(async () => expect(await dialog.findByText('Disconnecting…')).toBeVisible());
    await userEvent.keyboard('{Escape}');
    // Escape is ignored while pending: the dialog stays open (not merely fading out).
    await waitFor(() => expect(page(canvasElement).getByRole('alertdialog')).toBeVisible());
    expect(page(canvasElement).getByRole('alertdialog')).toHaveAttribute('data-state', 'open');
  },
};

/** `onConfirm` rejected: the reason shows inside the dialog, and "Yes, disconnect" tries again. */
export const Failed: Story = {
  args: {
    defaultOpen: true,
    onConfirm: fn(() => Promise.reject(new Error("The portal's server couldn't be reached."))),
  },
  parameters: inOwnFrame,
  play: async ({ canvasElement, userEvent }) => {
    const dialog = within(await page(canvasElement).findByRole('alertdialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Yes, disconnect' }));
    await expect(await dialog.findByRole('alert')).toHaveTextContent("The disconnection didn't go through: The portal's server couldn't be reached.");
  },
};

/** Without a known organisation, the title says "your Xero organisation". */
export const UnknownOrganisation: Story = {
  args: { defaultOpen: true, organisationName: null },
  parameters: inOwnFrame,
  play: async ({ canvasElement }) => {
    await expect(await page(canvasElement).findByRole('alertdialog', { name: 'Disconnect your Xero organisation from Xero Billing?' })).toBeInTheDocument();
  },
};

function ControlledDialog(props: Parameters<typeof DisconnectDialog>[0]) {
  const [open, setOpen] = useState(false);
  const [disconnected, setDisconnected] = useState(false);
  const opener = useRef<HTMLButtonElement | null>(null);
  return (
    <div style={{ display: 'grid', gap: '0.75rem', justifyItems: 'start' }}>
      <p style={{ margin: 0 }}>{disconnected ? 'Xero Billing was disconnected.' : 'Xero Billing is connected.'}</p>
      <button ref={opener} type="button" onClick={() => setOpen(true)}>
        Manage the Xero connection…
      </button>
      <DisconnectDialog
        {...props}
        trigger={undefined}
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          props.onOpenChange?.(next);
        }}
        onConfirm={async () => {
          await new Promise((resolve) => setTimeout(resolve, 600));
          await props.onConfirm();
          setDisconnected(true);
        }}
        onCloseAutoFocus={(event) => {
          // No trigger: put focus back on the button that opened it.
          event.preventDefault();
          opener.current?.focus();
        }}
      />
    </div>
  );
}

/** Controlled (`open` / `onOpenChange`), opened by a button elsewhere on the page; `onConfirm` takes 600 ms. */
export const Controlled: Story = {
  render: (args) => <ControlledDialog {...args} />,
  play: async ({ canvas, canvasElement, userEvent, args }) => {
    await userEvent.click(canvas.getByRole('button', { name: 'Manage the Xero connection…' }));
    await userEvent.click(await page(canvasElement).findByRole('button', { name: 'Yes, disconnect' }));
    await expect(await canvas.findByText('Xero Billing was disconnected.', {}, { timeout: 2_000 })).toBeVisible();
    await expect(args.onConfirm).toHaveBeenCalledOnce();
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Manage the Xero connection…' })).toHaveFocus());
  },
};

/** The parts composed into a different layout: a custom title and an extra paragraph. */
export const ComposedFromParts: Story = {
  parameters: inOwnFrame,
  render: (args) => (
    <DisconnectDialogRoot defaultOpen onConfirm={args.onConfirm} onCancel={args.onCancel}>
      <DisconnectDialogTrigger>Disconnect Xero Payroll</DisconnectDialogTrigger>
      <DisconnectDialogContent>
        <DisconnectDialogTitle>Stop sending timesheets to Xero?</DisconnectDialogTitle>
        <DisconnectDialogDescription />
        <p style={{ margin: 0 }}>Timesheets approved meanwhile wait in the portal and are sent once you connect again.</p>
        <DisconnectDialogError />
        <DisconnectDialogFooter>
          <DisconnectDialogCancel />
          <DisconnectDialogConfirm />
        </DisconnectDialogFooter>
      </DisconnectDialogContent>
    </DisconnectDialogRoot>
  ),
};
