/*
 * queue.js - the call queue (#/kald): today's calls, or a chosen day's,
 * in the server's order; a coordinator picks the mentor by name.
 */

import { ApiError, endpoints, session } from './api.js';
import { fact, h, replaceChildren, srOnly, uniqueId } from './dom.js';
import { createErrors, errorSummary, field, serverErrors } from './forms.js';
import { daysAgo, formatCallTime, formatDay, formatPhone, isIsoDate, plural, telHref, today } from './format.js';
import { describeLastContact, label, REASONS, RESULTS } from './i18n.js';
import {
	loading, openOutcome, openTimeline, route, setStatus, showLoadFailure, showView, viewHeading, viewSeq,
} from './shell.js';
import { mentorSelect } from './reassign.js';
import { doneToday, loadConfig, programmeName, state } from './state.js';

export function queueView() {
	const seq = viewSeq;
	const date = state.queueDate || today();
	const isToday = date === today();
	const errors = createErrors(errorSummary());

	const dateInput = h('input', { type: 'date', name: 'date', value: date, required: true });
	/* A coordinator has no queue of their own: the mentor is picked by
	 * name, and the picker is always open. */
	const admin = session.isAdmin();
	const mentorInput = admin
		? mentorSelect({ prompt: 'Vælg en mentor', selected: state.queueMentor })
		: h('input', {
			type: 'text',
			name: 'mentor',
			inputmode: 'numeric',
			pattern: '[0-9]*',
			autocomplete: 'off',
			value: state.queueMentor,
		});
	if (admin) {
		mentorInput.addEventListener('change', () => {
			pickQueue(dateInput.value, mentorInput.value, errors, mentorDetails);
		});
	}
	const mentorField = field({
		id: 'queue-mentor',
		labelText: admin ? 'Mentor' : 'Mentorens nummer',
		hint: admin ? null : 'Lad feltet være tomt for at se din egen liste.',
		control: mentorInput,
		errors,
		path: 'mentor',
	});
	const mentorDetails = admin
		? h('div', { class: 'coordinator' }, mentorField)
		: h('details', { class: 'coordinator', open: Boolean(state.queueMentor) },
			h('summary', null, 'Koordinator: vis en anden mentors liste'),
			mentorField);
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
			field({ id: 'queue-date', labelText: 'Dato', control: dateInput, errors, path: 'date', extraClass: 'inline' }),
			h('div', { class: 'actions' }, showButton, todayButton),
			mentorDetails));
	filter.addEventListener('submit', (event) => {
		event.preventDefault();
		pickQueue(dateInput.value, mentorInput.value, errors, mentorDetails);
	});

	const summary = h('p', { class: 'queue-summary', 'aria-live': 'polite' });
	const progress = h('p', { class: 'queue-progress', hidden: true });
	const list = h('div', { class: 'queue-list' }, loading('Henter opkald …'));
	const done = h('div', { class: 'queue-done' });
	const title = isToday ? 'Dagens opkald' : 'Opkald';
	const view = h('section', { class: 'view queue-view' },
		h('div', { class: 'view-head' },
			viewHeading(title),
			h('p', { class: 'lead' }, formatDay(date, true))),
		errors.summary,
		filter,
		h('div', { class: 'queue-status' }, summary, progress),
		list,
		done);
	showView(title, view, true, { wide: true });

	const flash = state.flash;
	state.flash = null;
	if (flash) {
		setStatus(flash);
	}
	fetchQueue(seq, { date, isToday }, { list, summary, progress, done }, errors, mentorDetails);
}

function pickQueue(date, mentor, errors, mentorDetails) {
	const problems = [];
	if (!isIsoDate(date)) {
		problems.push({ field: 'date', message: 'Vælg en dato.' });
	}
	const m = String(mentor || '').trim();
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

async function fetchQueue(seq, { date, isToday }, parts, errors, mentorDetails) {
	const { list, summary, progress, done } = parts;
	if (session.isAdmin() && !state.queueMentor) {
		replaceChildren(list, h('p', { class: 'empty' }, 'Vælg en mentor for at se mentorens opkald.'));
		return;
	}
	let reply;
	try {
		[reply] = await Promise.all([endpoints.queue(date, state.queueMentor), loadConfig()]);
	} catch (err) {
		if (seq !== viewSeq) {
			return;
		}
		if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
			if (err.fieldErrors.some((e) => String(e.field).startsWith('mentor'))) {
				mentorDetails.open = true;
			}
			list.replaceChildren();
			errors.show(serverErrors(err.fieldErrors));
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
	/* Today's running count: the calls registered on this page today
	 * and those still waiting. */
	const finished = isToday ? doneToday(state.queueMentor) : [];
	if (isToday && finished.length + calls.length > 0) {
		progress.textContent = `${finished.length} af ${finished.length + calls.length} ringet op`;
		progress.hidden = false;
	}
	replaceChildren(done, finished.length > 0 ? doneSection(finished) : null);
	if (calls.length === 0) {
		replaceChildren(list, h('p', { class: 'empty' }, 'Ingen opkald. Godt arbejde.'));
		return;
	}
	replaceChildren(list, h('ol', { class: 'calls' }, calls.map(callRow)));
}

function isFirstContact(call) {
	return call.first_contact === true || call.reason === 'first_contact';
}

function isUrgent(call) {
	return isFirstContact(call) && Number(call.overdue_days) > 0;
}

/*
 * One row per call: what a mentor needs to pick up the phone (name,
 * reason, how late, attempt, preferred time, the number, the agreed
 * topic) and the two actions; the rest behind "Detaljer". On a wide
 * screen the rows line up as columns; on a phone each is a small card.
 */
function callRow(call) {
	const citizen = call.citizen || {};
	const name = citizen.name || 'Borger uden navn';
	const detailsId = uniqueId('call-details');
	const urgent = isUrgent(call);
	const overdue = Number(call.overdue_days) || 0;
	const attempt = Number(call.attempt) || 1;
	const time = formatCallTime(call.preferred_call_time);
	/* Recorded before its day, a call would replace its agreed date or
	 * plan step with whatever follows: not offered from a later queue. */
	const notYet = isIsoDate(call.due_date) && call.due_date > today();

	const details = h('div', { class: 'call-details', id: detailsId, hidden: true },
		urgent ? h('p', { class: 'urgent-note' },
			h('strong', null, 'Haster: '), 'første kontakt er forsinket. Ring så tidligt som muligt.') : null,
		notYet ? h('p', { class: 'not-yet' },
			`Opkaldet kan registreres fra ${formatDay(call.due_date, true)}.`) : null,
		callFacts(call),
		h('div', { class: 'actions' },
			h('button', {
				type: 'button',
				class: 'button secondary small',
				on: { click: () => openTimeline(call.course_id, '#/kald') },
			}, 'Se forløbet', srOnly(` for ${name}`))));
	const toggle = h('button', {
		type: 'button',
		class: 'button secondary small details-toggle',
		'aria-expanded': 'false',
		'aria-controls': detailsId,
		on: {
			click: () => {
				const open = details.hidden;
				details.hidden = !open;
				toggle.setAttribute('aria-expanded', String(open));
			},
		},
	}, 'Detaljer', srOnly(` om ${name}`));

	return h('li', { class: ['call', urgent && 'urgent'] },
		h('h2', { class: 'call-name' }, name),
		h('p', { class: 'call-badges badges' },
			call.kind === 'meeting'
				? h('span', { class: 'badge meeting' }, 'Opfølgningsmøde')
				: h('span', { class: ['badge', `reason-${call.reason}`] }, label(REASONS, call.reason)),
			overdue > 0 ? h('span', { class: ['badge', 'late', urgent && 'urgent'] },
				urgent ? `Haster: ${plural(overdue, 'dag', 'dage')} over tid` : `${plural(overdue, 'dag', 'dage')} over tid`)
				: null,
			attempt > 1 ? h('span', { class: 'badge' }, `Forsøg ${attempt}`) : null,
			programmeName(call.programme) ? h('span', { class: 'badge programme' }, programmeName(call.programme)) : null),
		h('p', { class: 'call-time' }, time ? [srOnly('Foretrækker opkald '), time] : null),
		h('p', { class: 'call-phone' }, citizen.phone
			? h('a', { class: 'phone-link', href: telHref(citizen.phone) },
				srOnly(`Ring til ${name} på `), formatPhone(citizen.phone))
			: null),
		h('p', { class: 'call-topic' }, call.agreed_topic
			? [h('span', { class: 'topic-label' }, 'Aftalt: '), call.agreed_topic]
			: null),
		h('div', { class: 'call-actions' },
			notYet
				? h('p', { class: 'not-yet' }, `Fra ${formatDay(call.due_date)}`)
				: h('button', {
					type: 'button',
					class: 'button primary small',
					on: { click: () => openOutcome(call) },
				}, 'Registrér', srOnly(` opkaldet til ${name}`)),
			toggle),
		details);
}

function callFacts(call) {
	const overdue = Number(call.overdue_days) || 0;
	const days = Number(call.days_since_discharge);
	const time = formatCallTime(call.preferred_call_time);
	return h('dl', { class: 'facts' },
		fact('Årsag', label(REASONS, call.reason)),
		fact('Forsøg', String(Number(call.attempt) || 1)),
		fact('Udskrevet', Number.isFinite(days) ? daysAgo(days) : 'Ukendt'),
		fact('Over tid', overdue > 0 ? plural(overdue, 'dag', 'dage') : 'Nej'),
		call.agreed_topic ? fact('Aftalt emne', call.agreed_topic) : null,
		time ? fact('Foretrækker opkald', time) : null,
		fact('Seneste kontakt', describeLastContact(call.last_contact)));
}

/* The calls registered on this page today, newest first. */
function doneSection(finished) {
	return h('section', { class: 'done-today', 'aria-labelledby': 'done-heading' },
		h('h2', { id: 'done-heading' }, 'Ringet op i dag'),
		h('ol', { class: 'done-list' }, [...finished].reverse().map((d) =>
			h('li', { class: 'done' },
				h('span', { class: 'done-name' }, d.name),
				h('span', { class: ['badge', `result-${d.result}`] }, label(RESULTS, d.result)),
				h('span', { class: 'done-next' }, d.next),
				h('span', { class: 'done-actions' },
					d.call ? h('button', {
						type: 'button',
						class: 'button secondary small',
						on: { click: () => openOutcome({ ...d.call, correcting: true, previous: d.body }) },
					}, 'Ret udfald', srOnly(` for ${d.name}`)) : null,
					h('button', {
						type: 'button',
						class: 'button secondary small',
						on: { click: () => openTimeline(d.courseId, '#/kald') },
					}, 'Se forløbet', srOnly(` for ${d.name}`)))))));
}
