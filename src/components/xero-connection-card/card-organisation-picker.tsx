import { forwardRef, useId, type ComponentPropsWithoutRef, type Ref } from 'react';

import type { Tenant } from '../../client';
import { formatMessage, type XeroConnectionMessages } from '../messages';
import { styledHook } from '../internal/style-hooks';

/** Props of {@link CardOrganisationPicker}; other props go to the `<form>`. */
export interface CardOrganisationPickerProps extends Omit<ComponentPropsWithoutRef<'form'>, 'id' | 'onSubmit' | 'onSelect' | 'children'> {
  /** The form's `id`: the card's "Use this organisation" button submits it through its `form` attribute. */
  formId: string;
  /** The question, e.g. "Which organisation should Xero Billing use?". */
  legend: string;
  /** The organisations to choose from, in Xero's order. */
  organisations: readonly Tenant[];
  /** The chosen organisation's `tenantId`, or `null` before one is chosen. */
  selected: string | null;
  onSelect: (tenantId: string) => void;
  /** Enter on a radio, or the card's submit button. */
  onSubmit: () => void;
  /** What to fix ("Choose an organisation first."), after a submit without a choice; `null` otherwise. */
  error: string | null;
  /** While the choice is being sent: the radios keep focus but no longer change. */
  busy: boolean;
  /** Receives the first radio, which the card focuses when the user went on without choosing. */
  firstRadioRef: Ref<HTMLInputElement>;
  messages: XeroConnectionMessages;
  styled: boolean;
}

/**
 * The organisations a consent covered, as a native radio group: a `<fieldset>` whose `<legend>`
 * asks the question, one radio per organisation named by the organisation and described by its
 * kind ("Organisation", "Practice"). Native radios give the keyboard model for free (Tab into the
 * group, arrows move and choose, Space chooses, Enter submits) and every screen reader announces
 * "radio button, 2 of 2" and the legend. Nothing is chosen up front: choosing links that
 * organisation and removes the others in Xero, so it must be a decision, not a default.
 */
export const CardOrganisationPicker = /* @__PURE__ */ forwardRef<HTMLFormElement, CardOrganisationPickerProps>(function CardOrganisationPicker(
  {
    formId,
    legend,
    organisations,
    selected,
    onSelect,
    onSubmit,
    error,
    busy,
    firstRadioRef,
    messages,
    styled,
    ...formProps
  },
  ref,
) {
  const baseId = useId();
  const name = `${baseId}-organisation`;
  const errorId = `${baseId}-error`;
  return (
    <form
      id={formId}
      noValidate
      data-slot="xero-connection-card-picker"
      {...styledHook(styled)}
      {...formProps}
      ref={ref}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <fieldset data-slot="xero-connection-card-picker-group" data-pending={busy ? '' : undefined} {...styledHook(styled)}>
        <legend data-slot="xero-connection-card-picker-legend" {...styledHook(styled)}>
          {legend}
        </legend>
        {error !== null ? (
          <p id={errorId} data-slot="xero-connection-card-picker-error" {...styledHook(styled)}>
            {error}
          </p>
        ) : null}
        <div data-slot="xero-connection-card-picker-options" {...styledHook(styled)}>
          {organisations.map((tenant, index) => {
            const nameId = `${baseId}-name-${index}`;
            const typeId = `${baseId}-type-${index}`;
            const checked = selected === tenant.tenantId;
            return (
              // The whole row is the label, so it is one large click target; the radio takes its
              // name from the organisation alone and its description from the kind (and the error).
              <label
                key={tenant.tenantId}
                data-slot="xero-connection-card-picker-option"
                data-checked={checked ? '' : undefined}
                {...styledHook(styled)}
              >
                <input
                  ref={index === 0 ? firstRadioRef : undefined}
                  type="radio"
                  name={name}
                  value={tenant.tenantId}
                  checked={checked}
                  aria-labelledby={nameId}
                  aria-describedby={error !== null ? `${typeId} ${errorId}` : typeId}
                  aria-invalid={error !== null || undefined}
                  data-slot="xero-connection-card-picker-radio"
                  {...styledHook(styled)}
                  onChange={() => {
                    if (!busy) onSelect(tenant.tenantId);
                  }}
                />
                <span data-slot="xero-connection-card-picker-option-text" {...styledHook(styled)}>
                  <span id={nameId} data-slot="xero-connection-card-picker-option-name" {...styledHook(styled)}>
                    {tenant.tenantName}
                  </span>
                  <span id={typeId} data-slot="xero-connection-card-picker-option-type" {...styledHook(styled)}>
                    {formatMessage(messages, `picker.type.${tenant.tenantType}`)}
                  </span>
                </span>
              </label>
            );
          })}
        </div>
      </fieldset>
    </form>
  );
});
