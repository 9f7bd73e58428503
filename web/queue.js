/*
 * queue.js - the call queue (#/kald): today's calls, or a chosen day's,
 * in the server's order; a coordinator may give a mentor's number.
 */

import { ApiError, endpoints } from './api.js';
import { fact, h, replaceChildren, srOnly, uniqueId } from './dom.js';
import { createErrors, errorSummary, field } from './forms.js';
import { daysAgo, formatCallTime, formatDay, formatPhone, isIsoDate, plural, telHref, today } from './format.js';
import { describeLastContact, label, REASONS } from './i18n.js';
import {
	loading, openOutcome, openTimeline, route, setStatus, showLoadFailure, showView, viewHeading, viewSeq,
} from './shell.js';
import { state } from './state.js';

export function queueView() {
	const seq = viewSeq;
	const date = state.queueDate || today();
	const isToday = date === today();
	const errors = createErrors(errorSummary());

	const dateInput = h('input', { type: 'date', name: 'date', value: date, required: true });
	const mentorInput = h('input', {
		type: 'text',
		name: 'mentor',
		inputmode: 'numeric',
		pattern: '[0-9]*',
		autocomplete: 'off',
		value: state.queueMentor,
	});
	const mentorDetails = h('details', { class: 'coordinator', open: Boolean(state.queueMentor) },
		h('summary', null, 'Koordinator: vis en anden mentors liste'),
		field({
			id: 'queue-mentor',
			labelText: 'Mentorens nummer',
			hint: 'Lad feltet være tomt for at se din egen liste.',
			control: mentorInput,
			errors,
			path: 'mentor',
		}));
	const showButton = h('button', { type: 'submit', class: 'button primary' }, 'Vis opkald');
	const todayButton = h('button', {
		type: 'button',
		class: 'button secondary',
		on: {
			click: () => {
				dateInput.value = today();
				pickQueue(dateInput.value, mentorInput.value, errors, mentorDetails);
			},
		},
	}, 'I dag');
	const filter = h('form', { class: 'queue-filter', novalidate: true },
		h('div', { class: 'filter-row' },
			field({ id: 'queue-date', labelText: 'Dato', control: dateInput, errors, path: 'date' }),
			h('div', { class: 'actions' }, showButton, todayButton)),
		mentorDetails);
	filter.addEventListener('submit', (event) => {
		event.preventDefault();
		pickQueue(dateInput.value, mentorInput.value, errors, mentorDetails);
	});

	const summary = h('p', { class: 'queue-summary', 'aria-live': 'polite' });
	const list = h('div', { class: 'queue-list' }, loading('Henter opkald …'));
	const view = h('section', { class: 'view' },
		viewHeading(isToday ? 'Dagens opkald' : 'Opkald'),
		h('p', { class: 'lead' }, formatDay(date, true)),
		errors.summary,
		filter,
		summary,
		list);
	showView(isToday ? 'Dagens opkald' : 'Opkald', view);

	const flash = state.flash;
	state.flash = null;
	if (flash) {
		setStatus(flash);
	}
	fetchQueue(seq, date, list, summary, errors, mentorDetails);
}

function pickQueue(date, mentor, errors, mentorDetails) {
	const problems = [];
	if (!isIsoDate(date)) {
		problems.push({ field: 'date', message: 'Vælg en dato.' });
	}
	const m = mentor.trim();
	if (m && !/^\d+$/.test(m)) {
		problems.push({ field: 'mentor', message: 'Mentorens nummer består kun af cifre.' });
		mentorDetails.open = true;
	}
	if (problems.length > 0) {
		errors.show(problems);
		return;
	}
	state.queueDate = date === today() ? null : date;
	state.queueMentor = m;
	route();
}

async function fetchQueue(seq, date, list, summary, errors, mentorDetails) {
	let reply;
	try {
		reply = await endpoints.queue(date, state.queueMentor);
	} catch (err) {
		if (seq !== viewSeq) {
			return;
		}
		if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
			if (err.fieldErrors.some((e) => String(e.field).startsWith('mentor'))) {
				mentorDetails.open = true;
			}
			list.replaceChildren();
			errors.show(err.fieldErrors);
			return;
		}
		showLoadFailure(list, err, 'opkaldslisten', () => route());
		return;
	}
	if (seq !== viewSeq) {
		return;
	}
	const calls = reply && Array.isArray(reply.calls) ? reply.calls : [];
	const when = formatDay(reply && reply.date ? reply.date : date, true);
	summary.textContent = calls.length === 0
		? `Der er ingen opkald på listen ${when}.`
		: `${plural(calls.length, 'opkald', 'opkald')} på listen ${when}, i den rækkefølge de bør tages.`;
	if (calls.length === 0) {
		replaceChildren(list, h('p', { class: 'empty' }, 'Ingen opkald. Godt arbejde.'));
		return;
	}
	replaceChildren(list, h('ol', { class: 'calls' }, calls.map(callCard)));
}

function isFirstContact(call) {
	return call.first_contact === true || call.reason === 'first_contact';
}

function isUrgent(call) {
	return isFirstContact(call) && Number(call.overdue_days) > 0;
}

function callCard(call) {
	const citizen = call.citizen || {};
	const name = citizen.name || 'Borger uden navn';
	const headingId = uniqueId('call');
	const urgent = isUrgent(call);
	const overdue = Number(call.overdue_days) || 0;
	const attempt = Number(call.attempt) || 1;
	const days = Number(call.days_since_discharge);
	const time = formatCallTime(call.preferred_call_time);
	/* Recorded before its day, a call would replace its agreed date or
	 * plan step with whatever follows: not offered from a later queue. */
	const notYet = isIsoDate(call.due_date) && call.due_date > today();

	return h('li', { class: ['call', urgent && 'urgent'] },
		h('article', { 'aria-labelledby': headingId },
			h('div', { class: 'call-head' },
				h('h2', { id: headingId }, name),
				h('p', { class: 'badges' },
					h('span', { class: ['badge', `reason-${call.reason}`] }, label(REASONS, call.reason)),
					attempt > 1 ? h('span', { class: 'badge' }, `Forsøg ${attempt}`) : null,
					overdue > 0 ? h('span', { class: 'badge late' }, `${plural(overdue, 'dag', 'dage')} over tid`) : null)),
			urgent ? h('p', { class: 'urgent-note' },
				h('strong', null, 'Haster: '), 'første kontakt er forsinket. Ring så tidligt som muligt.') : null,
			citizen.phone ? h('p', { class: 'phone' },
				h('a', { class: 'button call-button', href: telHref(citizen.phone) },
					'Ring ', srOnly(`til ${name} på `), formatPhone(citizen.phone))) : null,
			h('dl', { class: 'facts' },
				fact('Årsag', label(REASONS, call.reason)),
				fact('Forsøg', String(attempt)),
				fact('Udskrevet', Number.isFinite(days) ? daysAgo(days) : 'Ukendt'),
				fact('Over tid', overdue > 0 ? plural(overdue, 'dag', 'dage') : 'Nej'),
				call.agreed_topic ? fact('Aftalt emne', call.agreed_topic) : null,
				time ? fact('Foretrækker opkald', time) : null,
				fact('Seneste kontakt', describeLastContact(call.last_contact))),
			h('div', { class: 'actions' },
				notYet
					? h('p', { class: 'not-yet' },
						`Opkaldet kan registreres fra ${formatDay(call.due_date, true)}.`)
					: h('button', {
						type: 'button',
						class: 'button primary',
						on: { click: () => openOutcome(call) },
					}, 'Registrér opkaldet', srOnly(` til ${name}`)),
				h('button', {
					type: 'button',
					class: 'button secondary',
					on: { click: () => openTimeline(call.course_id, '#/kald') },
				}, 'Se forløbet', srOnly(` for ${name}`)))));
}
