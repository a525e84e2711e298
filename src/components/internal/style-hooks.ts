// The attributes the default stylesheet keys on. Components spread these and nothing else for
// styling, so `unstyled` (styled = false) removes every hook at once. `data-slot` and state
// attributes are not hooks: they describe the DOM and stay.

/** The variants `buttons.css` styles. */
export type ButtonVariant = 'primary' | 'danger' | 'secondary';

/** `data-xc-styled` when styled: the scope every rule in dialog.css / card.css sits under. */
export function styledHook(styled: boolean): { 'data-xc-styled'?: '' } {
  return styled ? { 'data-xc-styled': '' } : {};
}

/** `data-xc-button="<variant>"` when styled (buttons.css). */
export function buttonHook(styled: boolean, variant: ButtonVariant): { 'data-xc-button'?: ButtonVariant } {
  return styled ? { 'data-xc-button': variant } : {};
}

/** `data-xc-spinner` when styled (buttons.css); put it on an `aria-hidden` span inside a button. */
export function spinnerHook(styled: boolean): { 'data-xc-spinner'?: '' } {
  return styled ? { 'data-xc-spinner': '' } : {};
}
