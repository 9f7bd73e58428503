/*
 * signin.js - the sign-in view (#/log-ind): the token is exchanged once
 * for a session (POST /v1/session, api.js) and then forgotten; the reply
 * says the role, so a coordinator goes to the desk. Under single sign-on
 * the page signs in without this view (shell.js).
 */

import { ApiError, session, sessions } from './api.js';
import { h } from './dom.js';
import { createErrors, errorSummary, field, setSubmitting } from './forms.js';
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
	setSubmitting(button, true, 'Logger ind …');
	let reply;
	try {
		reply = await sessions.signIn(token);
	} catch (err) {
		session.clear();
		setSubmitting(button, false);
		if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
			errors.show([{
				field: 'token',
				message: err.status === 401
					? 'Nøglen blev ikke godkendt. Tjek at du har skrevet den rigtigt.'
					: 'Du kan ikke logge ind herfra. Åbn siden direkte fra kommunens adresse.',
			}]);
			errors.focus('token');
			return;
		}
		errors.show([], [failureMessage(err, 'login')]);
		return;
	}
	/* Any role may have a session; this page is for mentors and coordinators. */
	if (!reply || (reply.role !== 'mentor' && reply.role !== 'admin')) {
		await sessions.signOut().catch(() => {});
		setSubmitting(button, false);
		errors.show([{
			field: 'token',
			message: 'Nøglen giver ikke adgang til opkaldslisten. Siden her er for sociale mentorer og koordinatorer.',
		}]);
		errors.focus('token');
		return;
	}
	if (session.isAdmin()) {
		setSubmitting(button, false);
		go('#/skrivebord');
		return;
	}
	setSubmitting(button, false);
	go('#/kald');
}
