/*
 * selfreferral.js - "Selvhenvendelse" (#/selvhenvendelse): a citizen who
 * declined at discharge, or got only the leaflet, phones the municipality
 * within the window (schedule.window_months, from GET /v1/config/public)
 * of the discharge, and a mentor or coordinator
 * registers them (POST /v1/courses, source self_referral, consent given
 * by the citizen on the phone). A mentor who registers it becomes the
 * citizen's mentor. The page asks before it saves, since the citizen
 * will be called and may get messages; then it opens the new course.
 */

import { ApiError, endpoints } from './api.js';
import { h } from './dom.js';
import { checkbox, confirmAction, createErrors, errorSlot, errorSummary, field, serverErrors, setSubmitting } from './forms.js';
import { earliestDischarge, formatDay, isIsoDate, today } from './format.js';
import { failureMessage, getWindowMonths, windowLength } from './i18n.js';
import { handleUnauthorised, loading, openTimeline, showView, viewHeading, viewSeq } from './shell.js';
import { loadConfig, state } from './state.js';

/* One key per form: a retry after a lost reply finds the same course. */
function registrationId() {
	const random = globalThis.crypto && crypto.randomUUID
		? crypto.randomUUID()
		: `${Date.now()}-${Math.random().toString(16).slice(2)}`;
	return `selvhenvendelse-${random}`;
}

/* The texts and the earliest date follow the configured window, so the
 * view waits for the public settings (the defaults if they fail). */
export async function selfReferralView() {
	const seq = viewSeq;
	if (!state.config) {
		showView('Selvhenvendelse', h('section', { class: 'view' },
			viewHeading('Selvhenvendelse'), loading('Henter ordningens regler …')));
		await loadConfig();
		if (seq !== viewSeq) {
			return;
		}
	}
	const errors = createErrors(errorSummary());
	const key = registrationId();
	const name = h('input', { type: 'text', name: 'name', maxlength: '200', autocomplete: 'off', required: true });
	const phone = h('input', { type: 'tel', name: 'phone', autocomplete: 'off', required: true });
	const discharged = h('input', { type: 'date', name: 'discharged', min: earliestDischarge(today(), getWindowMonths()), max: today(), required: true });
	const contact = checkbox({ id: 'sr-contact', name: 'contact', labelText: 'Borgeren siger ja til, at en mentor ringer' });
	const share = checkbox({ id: 'sr-share', name: 'share', labelText: 'Borgeren siger ja til, at kommunen gemmer navn, telefon og udskrivningsdato' });
	const contactSlot = errorSlot('sr-contact-error');
	const shareSlot = errorSlot('sr-share-error');
	const save = h('button', { type: 'submit', class: 'button primary' }, 'Registrér selvhenvendelsen');
	const form = h('form', { class: 'self-referral-form', novalidate: true },
		errors.summary,
		field({ id: 'sr-name', labelText: 'Borgerens navn', control: name, errors, path: 'citizen.name' }),
		field({ id: 'sr-phone', labelText: 'Telefonnummer', control: phone, errors, path: 'citizen.phone' }),
		field({
			id: 'sr-discharged',
			labelText: 'Udskrevet den',
			hint: `Som borgeren selv oplyser det. Ordningen gælder ${windowLength()} fra udskrivelsen.`,
			control: discharged,
			errors,
			path: 'discharged_at',
		}),
		h('fieldset', { class: 'consent' },
			h('legend', null, 'Samtykke, givet af borgeren i telefonen'),
			contactSlot,
			contact.node,
			shareSlot,
			share.node),
		h('div', { class: 'actions' }, save));
	errors.bind('consent.contact', 'Samtykke til opkald', contactSlot, contact.input);
	errors.bind('consent.share_information', 'Samtykke til at gemme oplysningerne', shareSlot, share.input);

	function collect() {
		const problems = [];
		if (!name.value.trim()) {
			problems.push({ field: 'citizen.name', message: 'Skriv borgerens navn.' });
		}
		if (!phone.value.trim()) {
			problems.push({ field: 'citizen.phone', message: 'Skriv borgerens telefonnummer.' });
		}
		if (!isIsoDate(discharged.value)) {
			problems.push({ field: 'discharged_at', message: 'Skriv datoen for udskrivelsen.' });
		} else if (discharged.value > today()) {
			problems.push({ field: 'discharged_at', message: 'Datoen må ikke være i fremtiden.' });
		} else if (discharged.value < discharged.min) {
			problems.push({ field: 'discharged_at', message: `Udskrivelsen ligger mere end ${windowLength()} tilbage. Ordningen er slut for borgeren.` });
		}
		if (!contact.input.checked) {
			problems.push({ field: 'consent.contact', message: 'Uden samtykke kan borgeren ikke registreres.' });
		}
		if (!share.input.checked) {
			problems.push({ field: 'consent.share_information', message: 'Uden samtykke kan borgeren ikke registreres.' });
		}
		/* Noon of the day: its Copenhagen date is the day, whatever the offset. */
		const body = {
			notification_id: key,
			source: 'self_referral',
			citizen: { name: name.value.trim(), phone: phone.value.trim() },
			discharged_at: `${discharged.value}T12:00:00+01:00`,
			consent: { contact: contact.input.checked, share_information: share.input.checked, given_by: 'citizen', given_at: today() },
		};
		return { body, problems };
	}

	async function submit() {
		if (save.disabled) {
			return;
		}
		const { body, problems } = collect();
		if (problems.length > 0) {
			errors.show(problems);
			return;
		}
		errors.clear();
		const asked = await confirmAction({
			title: `Registrér ${body.citizen.name}?`,
			intro: 'Når du registrerer selvhenvendelsen:',
			consequences: [
				'Borgeren får et forløb som andre udskrevne borgere, og en mentor ringer.',
				`Forløbet regnes fra udskrivelsen ${formatDay(discharged.value, true)}.`,
			],
			confirmText: 'Ja, registrér',
		});
		if (!asked) {
			return;
		}
		setSubmitting(save, true, 'Gemmer …');
		let reply;
		try {
			reply = await endpoints.selfReferral(body);
		} catch (err) {
			setSubmitting(save, false);
			failed(err, errors);
			return;
		}
		setSubmitting(save, false);
		state.flash = `Selvhenvendelsen fra ${body.citizen.name} er registreret.` +
			(reply && isIsoDate(reply.first_call_due) ? ` Første opkald: ${formatDay(reply.first_call_due, true)}.` : '');
		openTimeline(reply.course_id, '#/kald');
	}

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		submit();
	});
	showView('Selvhenvendelse', h('section', { class: 'view' },
		viewHeading('Selvhenvendelse'),
		h('p', { class: 'lead' }, `En borger, der sagde nej ved udskrivelsen eller kun fik en folder, kan selv kontakte kommunen inden for ${windowLength()}. Registrér borgeren her, mens I taler sammen.`),
		form));
	name.focus();
}

function failed(err, errors) {
	if (handleUnauthorised(err)) {
		return;
	}
	if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
		errors.show(serverErrors(err.fieldErrors), [failureMessage(err, 'selvhenvendelsen')]);
		return;
	}
	if (err instanceof ApiError && err.status === 409) {
		errors.show([], ['Borgeren kan ikke registreres: der findes allerede en anden registrering med samme nøgle, eller borgeren er død.']);
		return;
	}
	errors.show([], [failureMessage(err, 'selvhenvendelsen')]);
}
