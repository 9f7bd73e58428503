/*
 * forms.js - labelled fields, checkboxes and radio buttons, the error
 * bookkeeping that puts the API's field errors (in Danish) next to their
 * fields, and the dialog that asks before the citizen is affected.
 */

import { h, replaceChildren, setDescribedBy, uniqueId } from './dom.js';
import { fieldErrorMessage, fieldName } from './i18n.js';

/*
 * A form's error bookkeeping: fields are bound to the JSON paths the
 * API names ("next.date"), and show() puts each message next to its
 * field, falling back to the parent path ("offers[2]" -> "offers") and
 * then to the summary at the top of the form.
 */
export function createErrors(summary) {
	const fields = new Map();
	const shown = [];

	function resolve(path) {
		let p = String(path || '');
		while (p) {
			if (fields.has(p)) {
				return fields.get(p);
			}
			const next = p.replace(/(\[\d*\]|\.[^.[\]]*)$/, '');
			if (next === p) {
				break;
			}
			p = next;
		}
		return null;
	}

	function clear() {
		for (const field of shown.splice(0)) {
			field.slot.textContent = '';
			field.slot.hidden = true;
			for (const el of field.controls) {
				el.removeAttribute('aria-invalid');
				setDescribedBy(el, field.slot.id, false);
			}
		}
		summary.replaceChildren();
		summary.hidden = true;
	}

	/* errors: [{field, message}] in Danish (the page's own, or the
	 * server's through serverErrors()); general: strings for the summary. */
	function show(errors, general = []) {
		clear();
		const items = [];
		for (const e of errors) {
			const field = resolve(e.field);
			const message = e.message || 'Feltet er ikke udfyldt korrekt.';
			if (!field) {
				const name = fieldName(e.field);
				items.push(h('li', null, name ? `${name}: ${message}` : message));
				continue;
			}
			if (!shown.includes(field)) {
				shown.push(field);
			}
			field.slot.textContent = field.slot.textContent ? `${field.slot.textContent} ${message}` : message;
			field.slot.hidden = false;
			for (const el of field.controls) {
				el.setAttribute('aria-invalid', 'true');
				setDescribedBy(el, field.slot.id, true);
			}
			items.push(h('li', null,
				h('button', {
					type: 'button',
					class: 'linklike',
					on: { click: () => field.focus.focus() },
				}, `${field.name}: ${message}`)));
		}
		for (const text of general) {
			items.unshift(h('li', null, text));
		}
		if (items.length === 0) {
			return;
		}
		replaceChildren(summary,
			h('h2', null, errors.length > 0 ? 'Der er noget, der skal rettes' : 'Det lykkedes ikke'),
			h('ul', null, items));
		summary.hidden = false;
		summary.focus();
	}

	return {
		summary,
		/* name: the field's label, used in the summary */
		bind(path, name, slot, focus, controls = [focus]) {
			fields.set(path, { name, slot, focus, controls });
		},
		clear,
		show,
		/* Move focus from the summary straight to one field. */
		focus(path) {
			const field = resolve(path);
			if (field) {
				field.focus.focus();
			}
		},
	};
}

/* Problem JSON's errors[] with their messages in Danish, for show(). */
export function serverErrors(list) {
	return list.map((e) => ({ field: e.field, message: fieldErrorMessage(e) }));
}

export function errorSlot(id) {
	return h('p', { class: 'field-error', id, hidden: true });
}

export function errorSummary() {
	return h('div', { class: 'error-summary', tabindex: '-1', hidden: true });
}

/* A labelled single control with optional hint and its error slot. */
export function field({ id, labelText, control, hint, errors, path, extraClass }) {
	const hintId = hint ? `${id}-hint` : null;
	const slot = errorSlot(`${id}-error`);
	control.id = id;
	if (hintId) {
		setDescribedBy(control, hintId, true);
	}
	if (errors && path) {
		errors.bind(path, labelText, slot, control);
	}
	return h('div', { class: ['field', extraClass] },
		h('label', { for: id }, labelText),
		hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
		slot,
		control);
}

/* A checkbox or radio button with its label (and hint) beside it. */
export function choice(type, { id, name, value, labelText, hint, checked }) {
	const input = h('input', { type, id, name, value, checked: Boolean(checked) });
	const hintId = hint ? `${id}-hint` : null;
	if (hintId) {
		setDescribedBy(input, hintId, true);
	}
	return {
		input,
		node: h('div', { class: 'choice' },
			input,
			h('label', { for: id }, labelText),
			hint ? h('p', { class: 'hint', id: hintId }, hint) : null),
	};
}

export const checkbox = (options) => choice('checkbox', options);
export const radio = (options) => choice('radio', options);

export function setSubmitting(button, busy, busyText) {
	if (busy) {
		button.dataset.label = button.textContent;
		button.textContent = busyText;
		button.disabled = true;
		button.setAttribute('aria-busy', 'true');
	} else {
		button.textContent = button.dataset.label || button.textContent;
		button.disabled = false;
		button.removeAttribute('aria-busy');
	}
}

/*
 * Ask before something the citizen will notice. A modal <dialog> (focus
 * stays inside, Escape cancels) that says what will happen and resolves
 * to true only when the mentor confirms. Focus starts on the answer that
 * changes nothing and goes back where it was after.
 */
export function confirmAction({ title, intro, consequences, confirmText, cancelText = 'Fortryd' }) {
	return new Promise((resolve) => {
		const titleId = uniqueId('confirm-title');
		const textId = uniqueId('confirm-text');
		const previous = document.activeElement;
		const yes = h('button', { type: 'button', class: 'button primary' }, confirmText);
		const no = h('button', { type: 'button', class: 'button secondary' }, cancelText);
		const dialog = h('dialog', {
			class: 'confirm',
			role: 'alertdialog',
			'aria-labelledby': titleId,
			'aria-describedby': textId,
		},
		h('h2', { id: titleId }, title),
		h('div', { id: textId },
			intro ? h('p', null, intro) : null,
			h('ul', null, consequences.map((text) => h('li', null, text)))),
		h('div', { class: 'actions' }, yes, no));

		yes.addEventListener('click', () => dialog.close('yes'));
		no.addEventListener('click', () => dialog.close('no'));
		/* Escape, or a route change (shell.js), closes it without "yes". */
		dialog.addEventListener('close', () => {
			dialog.remove();
			if (previous instanceof HTMLElement && previous.isConnected) {
				previous.focus();
			}
			resolve(dialog.returnValue === 'yes');
		}, { once: true });
		document.body.append(dialog);
		dialog.showModal();
		no.focus();
	});
}
