// The portal's own few styles on top of the NL Design System components: focus that is always
// visible, a visually hidden live region, and the layout of the header and action forms.
export const PORTAL_CSS = `
:root { font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; }
body { margin: 0; }
.utrecht-skip-link { position: absolute; left: -10000px; }
.utrecht-skip-link:focus { position: static; display: inline-block; padding: 0.5rem; background: #fff; }
.utrecht-page-header { display: flex; gap: 1rem; align-items: center; justify-content: space-between; padding: 1rem 2rem; background: #24578f; color: #fff; }
.utrecht-page-header .utrecht-link { color: #fff; }
.utrecht-nav-bar { background: #e6eef7; padding: 0 2rem; }
.utrecht-nav-list { display: flex; flex-wrap: wrap; gap: 1.5rem; list-style: none; margin: 0; padding: 0.75rem 0; }
.utrecht-nav-list__link[aria-current="page"] { font-weight: bold; text-decoration-thickness: 3px; }
.utrecht-page-content { padding: 1rem 2rem 3rem; max-width: 72rem; }
.utrecht-link { color: #1a4b80; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, main:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #1a1a1a; outline-offset: 2px; box-shadow: 0 0 0 6px #ffbf47;
}
.utrecht-table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
.utrecht-table__header-cell, .utrecht-table__cell { border-bottom: 1px solid #8c8c8c; padding: 0.4rem 0.8rem; text-align: left; vertical-align: top; }
.utrecht-button { font: inherit; padding: 0.5rem 1rem; border: 2px solid #1a4b80; border-radius: 4px; cursor: pointer; }
.utrecht-button--primary-action { background: #1a4b80; color: #fff; }
.utrecht-button--secondary-action { background: #fff; color: #1a4b80; }
.utrecht-textbox, .utrecht-select { font: inherit; padding: 0.4rem; border: 2px solid #1a1a1a; min-width: 20rem; }
[aria-invalid="true"] { border-color: #b00020; }
.utrecht-form-field { margin-bottom: 1.25rem; }
.utrecht-form-field-description { color: #4a4a4a; }
.utrecht-form-field-error-message { color: #b00020; font-weight: bold; }
.utrecht-alert { border-left: 6px solid #24578f; padding: 0.5rem 1rem; margin: 1rem 0; background: #f3f6fa; }
.utrecht-alert--error { border-color: #b00020; background: #fdf2f2; }
.utrecht-alert--ok { border-color: #2e7d32; background: #f1f8f2; }
.portal-action { display: inline-block; margin: 0.25rem 0.5rem 0.25rem 0; }
.portal-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.utrecht-data-list__item { display: flex; gap: 1rem; }
.utrecht-data-list__item-key { font-weight: bold; min-width: 10rem; }
.utrecht-data-list__item-value { margin: 0; }
`;
