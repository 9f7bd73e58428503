/*
 * inbound.js - a citizen phones in. "Find borger" (#/find-borger) finds
 * them when they are not in today's queue, or their course has ended:
 * by part of the name, the phone number or the course number
 * (GET /v1/courses?q=, doc/api.md "Finding a citizen"), a page at a
 * time; a mentor finds their own citizens, a coordinator every course
 * with its mentor's name. A result opens the citizen's timeline.
 *
 * There, "Borgeren ringede": the citizen
 * phoned in (POST /v1/courses/{id}/contacts), with a call agreed for a
 * date if they settled one. A citizen whose course had ended may come
 * back within the window: the contact resumes the course, and the page
 * asks first, since the citizen will be called again. A coordinator or
 * mentor may also resume an ended course without a call
 * (POST /v1/courses/{id}/resume), with the same question.
 *
 * The search text is kept in memory (state.search), so that "Tilbage til
 * søgningen" searches again; like all citizen data it never goes into
 * the page's URL or title. It goes to the API in the query string, as
 * the API takes it: same origin, no cache, no referrer.
 */

import { ApiError, endpoints, session } from './api.js';
import { h, replaceChildren, srOnly } from './dom.js';
import { confirmAction, createErrors, errorSummary, field, serverErrors, setSubmitting } from './forms.js';
import { addDays, formatDay, formatPhone, isIsoDate, plural, telHref, today } from './format.js';
import { COURSE_STATES, failureMessage, label } from './i18n.js';
import {
	handleUnauthorised, openTimeline, route, setStatus, showLoadFailure, showView, viewHeading, viewSeq,
} from './shell.js';
import { loadMentors, mentorName, programmeName, state } from './state.js';

/* --- finding the citizen ---------------------------------------------------- */

const SEARCH_ROUTE = '#/find-borger';
const SEARCH_PAGE = 25;

export function searchView() {
	const seq = viewSeq;
	const errors = createErrors(errorSummary());
	const input = h('input', {
		type: 'search',
		name: 'q',
		maxlength: '100',
		autocomplete: 'off',
		spellcheck: 'false',
		enterkeyhint: 'search',
	});
	input.value = state.search ? state.search.q : '';
	const submit = h('button', { type: 'submit', class: 'button primary' }, 'Søg');
	const results = h('div', { class: 'search-results' });
	const form = h('form', { class: 'search-form find-form', role: 'search', novalidate: true },
		errors.summary,
		field({
			id: 'find-q',
			labelText: 'Navn, telefonnummer eller forløbsnummer',
			hint: session.isAdmin()
				? 'Mindst tre bogstaver af navnet eller tre cifre af telefonnummeret. Du søger i alle forløb.'
				: 'Mindst tre bogstaver af navnet eller tre cifre af telefonnummeret. Du finder dine egne borgere, også dem, hvis forløb er afsluttet.',
			control: input,
			errors,
			path: 'q',
			extraClass: 'find-field',
		}),
		h('div', { class: 'actions' }, submit));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		runSearch(seq, input, submit, errors, results);
	});
	showView('Find borger', h('section', { class: 'view' },
		viewHeading('Find borger'),
		h('p', { class: 'lead' }, 'Find en borger, der ringer, også når borgeren ikke er på dagens liste.'),
		form,
		results), false);
	input.focus();
	if (session.isAdmin()) {
		/* Names of the mentors for the results; without them, numbers. */
		loadMentors().catch(() => null);
	}
	if (state.search && state.search.q) {
		runSearch(seq, input, submit, errors, results);
	}
}

async function runSearch(seq, input, submit, errors, results) {
	const q = input.value.trim();
	errors.clear();
	if (q === '') {
		errors.show([{ field: 'q', message: 'Skriv et navn, et telefonnummer eller et forløbsnummer.' }]);
		input.focus();
		return;
	}
	state.search = { q };
	setSubmitting(submit, true, 'Søger …');
	let reply;
	try {
		reply = await endpoints.search(q, null, SEARCH_PAGE);
	} catch (err) {
		setSubmitting(submit, false);
		if (seq === viewSeq) {
			searchFailed(err, errors, results, input);
		}
		return;
	}
	setSubmitting(submit, false);
	if (seq !== viewSeq) {
		return;
	}
	if (session.isAdmin()) {
		await loadMentors().catch(() => null);
	}
	renderFound(seq, q, reply, results);
}

function searchFailed(err, errors, results, input) {
	if (handleUnauthorised(err)) {
		return;
	}
	if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
		/* Next to the field, e.g. "at least three letters". */
		errors.show(serverErrors(err.fieldErrors));
		replaceChildren(results);
		input.focus();
		return;
	}
	showLoadFailure(results, err, 'søgningen', null);
}

function renderFound(seq, q, reply, results) {
	const courses = reply && Array.isArray(reply.courses) ? reply.courses : [];
	const list = h('ul', { class: 'found-list' }, courses.map(foundItem));
	const count = h('p', { class: 'queue-summary found-count' });
	const more = h('p', { class: 'actions' });
	let shown = courses.length;

	function describe(next) {
		count.textContent = shown === 0 && !next
			? `Ingen borgere passer på „${q}“.`
			: `${plural(shown, 'borger', 'borgere')} passer på „${q}“${next ? ', og der kan være flere' : ''}.`;
	}

	function offerMore(next) {
		if (!next) {
			more.replaceChildren();
			return;
		}
		const button = h('button', { type: 'button', class: 'button secondary' }, 'Vis flere');
		button.addEventListener('click', async () => {
			setSubmitting(button, true, 'Henter flere …');
			let page;
			try {
				page = await endpoints.search(q, next, SEARCH_PAGE);
			} catch (err) {
				setSubmitting(button, false);
				if (seq === viewSeq && !handleUnauthorised(err)) {
					setStatus(failureMessage(err, 'flere borgere'));
				}
				return;
			}
			if (seq !== viewSeq) {
				return;
			}
			const found = page && Array.isArray(page.courses) ? page.courses : [];
			const items = found.map(foundItem);
			list.append(...items);
			shown += found.length;
			describe(page ? page.next_after : null);
			offerMore(page ? page.next_after : null);
			/* Keyboard users go on from the first new result. */
			const first = items[0] && items[0].querySelector('a');
			if (first) {
				first.focus();
			} else if (more.firstChild) {
				more.firstChild.focus();
			}
		});
		replaceChildren(more, button);
	}

	describe(reply ? reply.next_after : null);
	offerMore(reply ? reply.next_after : null);
	replaceChildren(results, count, courses.length > 0 ? list : null, more);
	setStatus(count.textContent);
}

function foundItem(course) {
	const citizen = course.citizen && typeof course.citizen === 'object' ? course.citizen : {};
	const name = citizen.name || `Borger i forløb nr. ${course.id}`;
	const mentor = session.isAdmin()
		? (course.mentor_id ? mentorName(course.mentor_id) || `mentor nr. ${course.mentor_id}` : 'ingen mentor')
		: null;
	const programme = programmeName(course.programme);
	return h('li', { class: 'found' },
		h('a', {
			class: 'found-name',
			href: '#/borger',
			on: {
				click: (event) => {
					event.preventDefault();
					openTimeline(course.id, SEARCH_ROUTE);
				},
			},
		}, name, srOnly(': åbn forløbet')),
		citizen.phone
			? h('a', { class: 'nowrap found-phone', href: telHref(citizen.phone) },
				srOnly(`Ring til ${name} på `), formatPhone(citizen.phone))
			: null,
		h('span', { class: 'badge found-state' }, label(COURSE_STATES, course.state)),
		h('span', { class: 'found-facts' },
			`Forløb nr. ${course.id}`,
			course.discharge_date ? `, udskrevet ${formatDay(course.discharge_date)}` : '',
			programme ? `, ${programme}` : '',
			mentor ? `. Mentor: ${mentor}` : ''));
}

/* --- "Borgeren ringede" ------------------------------------------------------ */

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
