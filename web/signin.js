/*
 * signin.js - the sign-in view (#/log-ind): the token, proved by asking
 * for today's queue. A mentor's token gets it; a coordinator's is told to
 * name a mentor (422 on "mentor"), which is how the page knows to open
 * the desk.
 */

import { ApiError, endpoints, session } from './api.js';
import { h } from './dom.js';
import { createErrors, errorSummary, field, setSubmitting } from './forms.js';
import { today } from './format.js';
import { failureMessage } from './i18n.js';
import { go, showView, viewHeading } from './shell.js';
import { state } from './state.js';

export function signInView() {
	const errors = createErrors(errorSummary());
	/* No name attribute: even if a script failed, a native submit
	 * could not carry the token into a URL (and the CSP has
	 * form-action 'none'). */
	const input = h('input', {
		type: 'password',
		autocomplete: 'off',
		autocapitalize: 'off',
		spellcheck: 'false',
		required: true,
	});
	const button = h('button', { type: 'submit', class: 'button primary' }, 'Log ind');
	const form = h('form', { class: 'signin', novalidate: true },
		field({
			id: 'signin-token',
			labelText: 'Adgangsnøgle',
			hint: 'Skriv eller indsæt den adgangsnøgle, du har fået af din koordinator.',
			control: input,
			errors,
			path: 'token',
		}),
		h('div', { class: 'actions' }, button));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		signIn(input.value.trim(), errors, button);
	});
	const message = state.signInMessage;
	state.signInMessage = null;
	const view = h('section', { class: 'view narrow' },
		viewHeading('Log ind'),
		h('p', null, 'Her finder du dine opkald til borgere i den forebyggende mentorordning.'),
		message ? h('p', { class: 'notice info static' }, message) : null,
		errors.summary,
		form);
	showView('Log ind', view, false);
	input.focus();
}

async function signIn(token, errors, button) {
	errors.clear();
	if (!token) {
		errors.show([{ field: 'token', message: 'Skriv din adgangsnøgle.' }]);
		errors.focus('token');
		return;
	}
	if (/[^\x21-\x7e]/.test(token)) {
		errors.show([{ field: 'token', message: 'Nøglen indeholder tegn, den ikke kan indeholde. Tjek at du har kopieret den rigtigt.' }]);
		errors.focus('token');
		return;
	}
	session.set(token);
	session.setRole('mentor');
	setSubmitting(button, true, 'Logger ind …');
	try {
		/* No "who am I" route in v1: today's queue proves the token. */
		await endpoints.queue(today());
	} catch (err) {
		if (err instanceof ApiError && err.status === 422 &&
			err.fieldErrors.some((e) => e.field === 'mentor')) {
			session.setRole('admin');
			setSubmitting(button, false);
			go('#/skrivebord');
			return;
		}
		if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
			session.clear();
			setSubmitting(button, false);
			errors.show([{
				field: 'token',
				message: err.status === 401
					? 'Nøglen blev ikke godkendt. Tjek at du har skrevet den rigtigt.'
					: 'Nøglen giver ikke adgang til opkaldslisten. Siden her er for sociale mentorer og koordinatorer.',
			}]);
			errors.focus('token');
			return;
		}
		if (err instanceof ApiError && err.status === 0) {
			session.clear();
			setSubmitting(button, false);
			errors.show([], [failureMessage(err, 'opkaldslisten')]);
			return;
		}
		/* Any other answer means the token is good; the queue view explains the rest. */
	}
	setSubmitting(button, false);
	go('#/kald');
}
