// What the default stylesheet keys on, the same hooks the dialog uses. `data-slot` and
// `data-state` describe the DOM and always stay; `unstyled` drops only these.

/** The variants `buttons.css` styles. */
export type ButtonVariant = 'primary' | 'danger' | 'secondary';

/** `data-xc-styled` when styled, nothing when unstyled. */
export function styledHook(styled: boolean): { 'data-xc-styled'?: '' } {
  return styled ? { 'data-xc-styled': '' } : {};
}

/** `data-xc-button="<variant>"` when styled, nothing when unstyled. */
export function buttonHook(styled: boolean, variant: ButtonVariant): { 'data-xc-button'?: ButtonVariant } {
  return styled ? { 'data-xc-button': variant } : {};
}

/** `data-xc-spinner` when styled, nothing when unstyled. */
export function spinnerHook(styled: boolean): { 'data-xc-spinner'?: '' } {
  return styled ? { 'data-xc-spinner': '' } : {};
}
