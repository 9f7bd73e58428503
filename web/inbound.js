/*
 * inbound.js - "Borgeren ringede" on the citizen's timeline: the citizen
 * phoned in (POST /v1/courses/{id}/contacts), with a call agreed for a
 * date if they settled one. A citizen whose course had ended may come
 * back within the window: the contact resumes the course, and the page
 * asks first, since the citizen will be called again. A coordinator or
 * mentor may also resume an ended course without a call
 * (POST /v1/courses/{id}/resume), with the same question.
 */

import { ApiError, endpoints } from './api.js';
import { h } from './dom.js';
import { confirmAction, createErrors, errorSummary, field, serverErrors, setSubmitting } from './forms.js';
import { addDays, formatDay, isIsoDate, today } from './format.js';
import { COURSE_STATES, failureMessage, label } from './i18n.js';
import { handleUnauthorised, route } from './shell.js';
import { state } from './state.js';

function citizenName(course) {
	const citizen = course.citizen && typeof course.citizen === 'object' ? course.citizen : course;
	return citizen.name || 'borgeren';
}

function windowEnd(course) {
	return course.window_ends || course.window_end || null;
}

/* The section for a course, or null when no contact can be recorded. */
export function inboundSection(course) {
	const ended = course.state === 'ended';
	if (course.state !== 'active' && !ended) {
		return null;
	}
	const end = windowEnd(course);
	if (ended && isIsoDate(end) && end < today()) {
		return h('section', { class: 'course-actions inbound', 'aria-labelledby': 'inbound-heading' },
			h('h2', { id: 'inbound-heading' }, 'Borgeren ringede'),
			h('p', null, `Ordningen sluttede ${formatDay(end, true)}. Forløbet kan ikke genoptages. ` +
				'Hjælp borgeren videre til kommunens øvrige tilbud.'));
	}
	const name = citizenName(course);
	const errors = createErrors(errorSummary());
	const date = h('input', { type: 'date', name: 'inbound-date', min: addDays(today(), 1), max: isIsoDate(end) ? end : null });
	const topic = h('input', { type: 'text', name: 'inbound-topic', maxlength: '200', autocomplete: 'off' });
	const save = h('button', { type: 'submit', class: 'button primary' },
		ended ? 'Gem og genoptag forløbet' : 'Gem henvendelsen');
	const form = h('form', { class: 'inbound-form', id: 'inbound-form', novalidate: true, hidden: true },
		errors.summary,
		field({
			id: 'inbound-date',
			labelText: 'Aftalt dato for næste opkald (frivilligt)',
			hint: ended
				? 'Uden dato ringer mentoren næste hverdag. Falder dagen ikke på en hverdag, flyttes opkaldet til næste hverdag.'
				: 'Uden dato gælder det planlagte opkald. Falder dagen ikke på en hverdag, flyttes opkaldet til næste hverdag.',
			control: date,
			errors,
			path: 'date',
		}),
		field({
			id: 'inbound-topic',
			labelText: 'Hvad skal I tale om? (frivilligt)',
			control: topic,
			errors,
			path: 'topic',
		}),
		h('div', { class: 'actions' },
			save,
			h('button', {
				type: 'button',
				class: 'button secondary',
				on: { click: () => close() },
			}, 'Annullér')));
	const open = h('button', {
		type: 'button',
		class: 'button primary',
		'aria-expanded': 'false',
		'aria-controls': 'inbound-form',
		on: {
			click: () => {
				form.hidden = false;
				open.setAttribute('aria-expanded', 'true');
				date.focus();
			},
		},
	}, 'Borgeren ringede');
	let mode = 'contact';
	const resume = ended ? h('button', {
		type: 'button',
		class: 'button secondary',
		on: {
			click: () => {
				mode = 'resume';
				submit();
			},
		},
	}, 'Genoptag forløbet uden opkald') : null;

	function close() {
		form.hidden = true;
		errors.clear();
		open.setAttribute('aria-expanded', 'false');
		open.focus();
	}

	function collect() {
		const body = {};
		const problems = [];
		if (date.value) {
			if (!isIsoDate(date.value)) {
				problems.push({ field: 'date', message: 'Skriv en dato.' });
			} else if (date.value <= today()) {
				problems.push({ field: 'date', message: 'Datoen skal være i morgen eller senere.' });
			} else {
				body.date = date.value;
			}
		}
		if (topic.value.trim()) {
			body.topic = topic.value.trim();
		}
		return { body, problems };
	}

	async function submit() {
		if (save.disabled) {
			return;
		}
		const { body, problems } = mode === 'resume' && form.hidden ? { body: {}, problems: [] } : collect();
		if (problems.length > 0) {
			errors.show(problems);
			return;
		}
		errors.clear();
		if (ended && !(await confirmAction(resumeQuestion(course, name, body, mode)))) {
			mode = 'contact';
			return;
		}
		setSubmitting(save, true, 'Gemmer …');
		let reply;
		try {
			reply = mode === 'resume'
				? await endpoints.resume(course.id, body)
				: await endpoints.contact(course.id, body);
		} catch (err) {
			setSubmitting(save, false);
			mode = 'contact';
			failed(err, errors, form);
			return;
		}
		setSubmitting(save, false);
		state.flash = savedMessage(name, mode, reply, ended);
		mode = 'contact';
		route();
	}

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		mode = 'contact';
		submit();
	});

	return h('section', { class: 'course-actions inbound', 'aria-labelledby': 'inbound-heading' },
		h('h2', { id: 'inbound-heading' }, 'Borgeren ringede'),
		h('p', { class: 'hint' }, ended
			? `Forløbet er afsluttet, men borgeren kan vende tilbage til og med ${formatDay(end, true)}. ` +
				'Skriv henvendelsen ind, så genoptages forløbet.'
			: 'Skriv ind, at borgeren selv har ringet, og aftal eventuelt det næste opkald.'),
		h('div', { class: 'actions' }, open, resume),
		form);
}

/* What the citizen will notice of a resumed course, as a question. */
function resumeQuestion(course, name, body, mode) {
	const closing = state.config && state.config.messages ? state.config.messages.closing !== false : true;
	const consequences = [
		body.date
			? `Forløbet genoptages, og der er aftalt et opkald ${formatDay(body.date, true)}.`
			: 'Forløbet genoptages, og mentoren ringer til borgeren næste hverdag.',
	];
	if (closing) {
		consequences.push('Er afslutningsbeskeden endnu ikke sendt, sendes den ikke.');
	}
	const end = windowEnd(course);
	if (isIsoDate(end)) {
		consequences.push(`Forløbet varer til og med ${formatDay(end, true)}.`);
	}
	return {
		title: `Genoptag forløbet med ${name}?`,
		intro: mode === 'resume'
			? 'Forløbet er afsluttet. Når du genoptager det:'
			: 'Borgeren har ringet, og forløbet er afsluttet. Når du gemmer:',
		consequences,
		confirmText: 'Ja, genoptag forløbet',
		cancelText: 'Fortryd',
	};
}

function savedMessage(name, mode, reply, ended) {
	const first = mode === 'resume'
		? `Forløbet med ${name} er genoptaget.`
		: `Henvendelsen fra ${name} er gemt.`;
	const course = reply && typeof reply === 'object' ? reply : {};
	const due = course.next_call && course.next_call.due_date;
	const parts = [first];
	if (mode !== 'resume' && ended && course.state === 'active') {
		parts.push('Forløbet er genoptaget.');
	}
	if (course.state && course.state !== 'active') {
		parts.push(`Forløbet er nu: ${label(COURSE_STATES, course.state).toLowerCase()}.`);
	} else if (isIsoDate(due)) {
		parts.push(`Næste opkald: ${formatDay(due, true)}.`);
	}
	return parts.join(' ');
}

function failed(err, errors, form) {
	if (handleUnauthorised(err)) {
		return;
	}
	form.hidden = false;
	if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
		errors.show(serverErrors(err.fieldErrors), [failureMessage(err, 'forløbet')]);
		return;
	}
	if (err instanceof ApiError && err.status === 409) {
		errors.show([], ['Forløbet kan ikke tage imod henvendelsen lige nu, fordi det har ændret sig. Hent forløbet igen.']);
		return;
	}
	const general = [failureMessage(err, 'forløbet')];
	if (err instanceof ApiError && err.status >= 500) {
		general.push(`Fejlkode: ${err.status}`);
	}
	errors.show([], general);
}
