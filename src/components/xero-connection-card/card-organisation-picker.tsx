import { forwardRef, useId, type ComponentPropsWithoutRef } from 'react';

import { styledHook } from '../internal/style-hooks';
import { formatMessage } from '../messages';
import { useXeroConnectionCardContext } from './xero-connection-card-context';

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardOrganisationPicker
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardOrganisationPicker}: a form's, less what the card controls. */
export type XeroConnectionCardOrganisationPickerProps = Omit<ComponentPropsWithoutRef<'form'>, 'id' | 'onSubmit' | 'onSelect' | 'children'>;

/**
 * When one consent covered several organisations: which one to use, as a native radio group in
 * a `<form>` that the actions' "Use this organisation" submits (Enter on a radio does too).
 * Renders nothing in other states, or for people who may not choose. Keep it in a composition
 * that keeps the actions, or that button has nothing to submit.
 *
 * The `<fieldset>`'s `<legend>` asks the question; each radio is named by its organisation and
 * described by its kind ("Organisation", "Practice"). Native radios give the keyboard model for
 * free (Tab into the group, arrows move and choose, Space chooses, Enter submits) and every screen
 * reader announces "radio button, 2 of 2" and the legend. Nothing is chosen up front: choosing
 * links that organisation and removes the others in Xero, so it must be a decision, not a default.
 * Pressing on without a choice says why and moves focus into the group. While the choice is sent
 * the radios keep focus but no longer change.
 */
export const XeroConnectionCardOrganisationPicker = /* @__PURE__ */ forwardRef<HTMLFormElement, XeroConnectionCardOrganisationPickerProps>(
  function XeroConnectionCardOrganisationPicker(props, ref) {
    const { styled, picker, pickerFormId, messages, title, xero } = useXeroConnectionCardContext('XeroConnectionCardOrganisationPicker');
    const baseId = useId();
    if (!picker.shown) return null;
    const { organisations, error, onSelect, onSubmit, firstRadioRef } = picker;
    const selected = picker.selected?.tenantId ?? null;
    const busy = xero.isChoosingOrganisation;
    const name = `${baseId}-organisation`;
    const errorId = `${baseId}-error`;
    return (
      <form
        id={pickerFormId}
        noValidate
        data-slot="xero-connection-card-picker"
        {...styledHook(styled)}
        {...props}
        ref={ref}
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        <fieldset data-slot="xero-connection-card-picker-group" data-pending={busy ? '' : undefined} {...styledHook(styled)}>
          <legend data-slot="xero-connection-card-picker-legend" {...styledHook(styled)}>
            {formatMessage(messages, 'picker.legend', { title })}
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
  },
);
