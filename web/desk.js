/*
 * desk.js - the coordinator's desk (#/skrivebord, admin): open concerns
 * for citizens' safety first, then every mentor's load today and the rest
 * of the week with their absences, courses to hand from one mentor to
 * another, and the messages that did not reach the gateway, to send again.
 *
 * API: GET /v1/concerns, POST /v1/concerns/{id}/handled,
 * GET /v1/mentors/load, GET /v1/courses?mentor=&state=active,
 * PATCH /v1/courses/{id}, GET /v1/outbox?state=dead,
 * POST /v1/outbox/{id}/retry.
 *
 * The desk refreshes itself (a concern must show "at once"): every
 * minute while the tab is visible, and at once when it becomes visible
 * again; "Opdatér" does it by hand. Only a section whose data changed is
 * drawn again, and not while focus is in it. It stops when the page has
 * not been used for nearly the session's idle time: polling must not
 * keep an unattended screen signed in.
 */

import { ApiError, endpoints, session } from './api.js';
import { h, replaceChildren, srOnly } from './dom.js';
import { confirmAction, field } from './forms.js';
import { addDays, formatDay, formatInstant, formatPhone, parseInstant, plural, telHref, today } from './format.js';
import { COURSE_STATES, failureMessage, label, MESSAGE_TYPES, OUTBOX_KINDS, REASONS } from './i18n.js';
import {
	go, handleUnauthorised, loading, openTimeline, route, setAlert, setStatus, showLoadFailure, showView, viewHeading,
	viewSeq,
} from './shell.js';
import { loadConfig, state } from './state.js';
import { mentorSelect, reassignControls } from './reassign.js';

export function deskView() {
	if (!session.isAdmin()) {
		go('#/kald', true);
		return;
	}
	const seq = viewSeq;
	const concerns = h('div', { class: 'desk-body' }, loading('Henter bekymringer …'));
	const load = h('div', { class: 'desk-body' }, loading('Henter mentorernes opkald …'));
	const reassign = h('div', { class: 'desk-body' });
	const dead = h('div', { class: 'desk-body' }, loading('Henter beskeder, der ikke kom frem …'));
	const updated = h('p', { class: 'desk-updated' });
	const refresh = (quiet) => refreshDesk(seq, { concerns, load, dead }, updated, quiet);
	const view = h('section', { class: 'view desk-view' },
		h('div', { class: 'view-head' },
			viewHeading('Skrivebord'),
			h('p', { class: 'lead' }, formatDay(today(), true))),
		h('div', { class: 'desk-refresh no-print' },
			h('button', {
				type: 'button',
				class: 'button secondary small',
				on: { click: () => refresh(false) },
			}, 'Opdatér'),
			updated),
		section('desk-concerns', 'Bekymringer for borgeres sikkerhed', concerns, 'concerns'),
		section('desk-load', 'Mentorernes opkald i dag og ugen frem', load),
		section('desk-reassign', 'Flyt forløb til en anden mentor', reassign),
		section('desk-dead', 'Beskeder, der ikke kom frem', dead));
	showView('Skrivebord', view, true, { wide: true });
	const flash = state.flash;
	state.flash = null;
	if (flash) {
		setStatus(flash);
	}
	loadConfig();
	fetchConcerns(seq, concerns);
	fetchLoad(seq, load);
	reassignPicker(reassign);
	fetchDead(seq, dead);
	updated.textContent = updatedText(true);
	autoRefresh(seq, refresh, updated);
}

/* --- refreshing ------------------------------------------------------------ */

const REFRESH_MS = 60 * 1000;
const auto = { timer: null, onVisible: null, busy: false };
/* performance.now(), not Date: the time since the page was last used. */
let lastUsed = performance.now();
for (const type of ['pointerdown', 'keydown']) {
	document.addEventListener(type, () => {
		lastUsed = performance.now();
	}, { capture: true, passive: true });
}

function recentlyUsed() {
	const limit = Math.max(1, session.idleMinutes - 2) * 60 * 1000;
	return performance.now() - lastUsed < limit;
}

function updatedText(ok) {
	const time = formatInstant(new Date()).replace(/^.* /, '');
	return ok
		? `Opdateret kl. ${time}. Skrivebordet opdateres selv hvert minut.`
		: `Skrivebordet kunne ikke opdateres kl. ${time}. Det prøver igen om et minut.`;
}

function stopAutoRefresh() {
	window.clearInterval(auto.timer);
	if (auto.onVisible) {
		document.removeEventListener('visibilitychange', auto.onVisible);
	}
	auto.timer = null;
	auto.onVisible = null;
}

/* Every minute while visible and recently used; at once on coming back
 * to the tab. Ends when another view is shown. */
function autoRefresh(seq, refresh, updated) {
	stopAutoRefresh();
	const tick = () => {
		if (seq !== viewSeq) {
			stopAutoRefresh();
		} else if (document.visibilityState !== 'visible') {
			/* Hidden: nothing is fetched; coming back refreshes. */
		} else if (!recentlyUsed()) {
			updated.textContent = 'Skrivebordet opdaterer ikke sig selv, fordi siden ikke har været brugt et stykke tid. ' +
				'Tryk „Opdatér“.';
		} else {
			refresh(true);
		}
	};
	auto.timer = window.setInterval(tick, REFRESH_MS);
	auto.onVisible = () => {
		if (document.visibilityState === 'visible') {
			tick();
		}
	};
	document.addEventListener('visibilitychange', auto.onVisible);
}

async function refreshDesk(seq, bodies, updated, quiet) {
	if (auto.busy) {
		return;
	}
	auto.busy = true;
	try {
		const results = await Promise.all([
			fetchConcerns(seq, bodies.concerns, quiet),
			fetchLoad(seq, bodies.load, quiet),
			fetchDead(seq, bodies.dead, quiet),
		]);
		if (seq === viewSeq) {
			const ok = results.every((r) => r !== false);
			updated.textContent = updatedText(ok);
			if (!quiet) {
				setStatus(ok ? 'Skrivebordet er opdateret.' : 'Skrivebordet kunne ikke opdateres helt.');
			}
		}
	} finally {
		auto.busy = false;
	}
}

/* What each section last showed, so that a quiet refresh draws only a
 * changed one, and never one the coordinator is working in (focus). */
const shown = new WeakMap();

function keepAsIs(body, reply, quiet) {
	const data = JSON.stringify(reply);
	if (quiet && (shown.get(body) === data || body.contains(document.activeElement))) {
		return true;
	}
	shown.set(body, data);
	return false;
}

/* A failed fetch: in place when asked for, quietly otherwise (the old
 * data stays; an ended session still goes to sign-in). */
function fetchFailed(seq, body, err, what, quiet) {
	if (seq !== viewSeq) {
		return false;
	}
	if (quiet) {
		handleUnauthorised(err);
	} else {
		shown.delete(body);
		showLoadFailure(body, err, what, () => route());
	}
	return false;
}

function section(id, title, body, extraClass) {
	return h('section', { class: ['desk-section', extraClass], 'aria-labelledby': id },
		h('h2', { id }, title),
		body);
}

/* --- concerns ------------------------------------------------------------ */

async function fetchConcerns(seq, body, quiet = false) {
	let reply;
	try {
		reply = await endpoints.concerns('open');
	} catch (err) {
		return fetchFailed(seq, body, err, 'bekymringerne', quiet);
	}
	if (seq !== viewSeq || keepAsIs(body, reply, quiet)) {
		return true;
	}
	const list = reply && Array.isArray(reply.concerns) ? reply.concerns : [];
	const before = Number(body.dataset.count || 0);
	body.dataset.count = String(list.length);
	if (quiet && list.length > before) {
		setStatus(list.length - before === 1
			? 'En ny bekymring for en borgers sikkerhed er kommet på skrivebordet.'
			: `${list.length - before} nye bekymringer for borgeres sikkerhed er kommet på skrivebordet.`);
	}
	if (list.length === 0) {
		replaceChildren(body, h('p', { class: 'empty' }, 'Ingen åbne bekymringer.'));
		return;
	}
	replaceChildren(body,
		h('p', { class: 'desk-count concern-count' },
			`${plural(list.length, 'åben bekymring', 'åbne bekymringer')}. Følg op med mentoren, og markér den, når det er gjort.`),
		h('ul', { class: 'concern-list' }, [...list].reverse().map((c) => concernItem(c, body))));
}

function concernItem(concern, body) {
	const citizen = concern.citizen || {};
	const name = citizen.name || 'Borger uden navn';
	const at = parseInstant(concern.at);
	const button = h('button', {
		type: 'button',
		class: 'button primary small',
		on: {
			click: async () => {
				button.disabled = true;
				try {
					await endpoints.concernHandled(concern.id);
				} catch (err) {
					button.disabled = false;
					if (!handleUnauthorised(err)) {
						setAlert(err instanceof ApiError && err.status === 409
							? 'Bekymringen er allerede markeret som fulgt op.'
							: failureMessage(err, 'bekymringen'));
					}
					return;
				}
				setStatus(`Bekymringen for ${name} er markeret som fulgt op.`);
				fetchConcerns(viewSeq, body);
			},
		},
	}, 'Markér som fulgt op', srOnly(` for ${name}`));
	return h('li', { class: 'concern-item' },
		h('h3', { class: 'concern-name' }, name),
		h('p', { class: 'concern-meta' },
			at ? `Skrevet ind ${formatInstant(at)}` : 'Skrevet ind',
			concern.author_name ? ` af ${concern.author_name}` : '',
			'. ',
			concern.mentor_name ? `Mentor: ${concern.mentor_name}. ` : 'Forløbet har ingen mentor. ',
			concern.course_state ? `Forløbet er: ${label(COURSE_STATES, concern.course_state).toLowerCase()}.` : ''),
		h('p', { class: 'concern-actions actions' },
			citizen.phone ? h('a', { class: 'phone-link button secondary small', href: telHref(citizen.phone) },
				srOnly(`Ring til ${name} på `), formatPhone(citizen.phone)) : null,
			h('button', {
				type: 'button',
				class: 'button secondary small',
				on: { click: () => openTimeline(concern.course_id, '#/skrivebord') },
			}, 'Se forløbet', srOnly(` for ${name}`)),
			button));
}

/* --- the mentors' load ---------------------------------------------------- */

async function fetchLoad(seq, body, quiet = false) {
	const from = today();
	let reply;
	try {
		reply = await endpoints.mentorLoad(from, addDays(from, 6));
	} catch (err) {
		return fetchFailed(seq, body, err, 'mentorernes opkald', quiet);
	}
	if (seq !== viewSeq || keepAsIs(body, reply, quiet)) {
		return true;
	}
	const mentors = reply && Array.isArray(reply.mentors) ? reply.mentors.filter((m) => m.active !== false) : [];
	const unassigned = reply && reply.unassigned ? reply.unassigned : {};
	if (mentors.length === 0) {
		replaceChildren(body, h('p', { class: 'empty' }, 'Der er ingen aktive mentorer.'));
		return;
	}
	const rows = mentors.map((m) => loadRow(m));
	replaceChildren(body,
		h('p', { class: 'hint' },
			'"I dag" er opkaldene på mentorens liste i dag, også dem der er over tid. ' +
			'Er en mentor fraværende, går opkaldene til en kollega for den dag.'),
		h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Tabel over mentorernes opkald', tabindex: '0' },
			h('table', { class: 'load-table' },
				h('thead', null, h('tr', null,
					h('th', { scope: 'col' }, 'Mentor'),
					h('th', { scope: 'col', class: 'num' }, 'Aktive forløb'),
					h('th', { scope: 'col', class: 'num' }, 'I dag'),
					h('th', { scope: 'col', class: 'num' }, 'Resten af ugen'),
					h('th', { scope: 'col' }, 'Fravær'))),
				h('tbody', null, rows))),
		Number(unassigned.active_courses) > 0
			? h('p', { class: 'notice warning static' },
				`${plural(Number(unassigned.active_courses), 'aktivt forløb', 'aktive forløb')} har ingen mentor. ` +
				'Giv dem en mentor fra forløbet.')
			: null);
}

function loadRow(m) {
	const days = Array.isArray(m.days) ? m.days : [];
	const first = days[0] || {};
	const rest = days.slice(1).reduce((sum, d) => sum + (Number(d.queue) || 0), 0);
	const awayToday = first.absent === true || first.available === false;
	const absences = Array.isArray(m.absences_in_period) ? m.absences_in_period : [];
	return h('tr', { class: awayToday ? 'away' : null },
		h('th', { scope: 'row' },
			h('button', {
				type: 'button',
				class: 'linklike',
				on: {
					click: () => {
						state.queueMentor = String(m.id);
						state.queueDate = null;
						go('#/kald');
					},
				},
			}, m.name, srOnly(': vis opkaldslisten'))),
		h('td', { class: 'num' }, String(Number(m.active_courses) || 0)),
		h('td', { class: 'num' },
			awayToday ? h('span', { class: 'badge away-badge' }, first.absent ? 'Fraværende' : 'Arbejder ikke') : String(Number(first.queue) || 0),
			awayToday && Number(first.due) > 0 ? h('span', { class: 'away-note' }, ` (${plural(Number(first.due), 'opkald', 'opkald')} til kolleger)`) : null),
		h('td', { class: 'num' }, String(rest)),
		h('td', null, absences.length > 0
			? absences.map((a) => absenceText(a)).join(', ')
			: 'Intet'));
}

/* "3. mar. – 4. mar.": this year's dates without the year. */
function absenceText(a) {
	const year = today().slice(0, 4);
	const day = (d) => (String(d).startsWith(year) ? formatDay(d).replace(/ \d{4}$/, '') : formatDay(d));
	return a.from === a.to ? day(a.from) : `${day(a.from)} – ${day(a.to)}`;
}

/* --- handing courses to another mentor ------------------------------------- */

function reassignPicker(body) {
	const list = h('div', { class: 'reassign-list' });
	const select = mentorSelect({ prompt: 'Vælg mentoren, der har forløbene' });
	select.addEventListener('change', () => {
		if (select.value) {
			fetchCourses(viewSeq, select.value, list);
		} else {
			list.replaceChildren();
		}
	});
	replaceChildren(body,
		h('p', { class: 'hint' }, 'Er en mentor syg eller holder op, kan du give mentorens aktive forløb til en kollega, ét ad gangen.'),
		field({ id: 'desk-from-mentor', labelText: 'Forløb hos', control: select }),
		list);
}

async function fetchCourses(seq, mentorId, list) {
	replaceChildren(list, loading('Henter forløb …'));
	let reply;
	try {
		reply = await endpoints.courses({ mentor: mentorId, state: 'active', limit: 100 });
	} catch (err) {
		if (seq === viewSeq) {
			showLoadFailure(list, err, 'forløbene', () => fetchCourses(viewSeq, mentorId, list));
		}
		return;
	}
	if (seq !== viewSeq) {
		return;
	}
	const courses = reply && Array.isArray(reply.courses) ? reply.courses : [];
	if (courses.length === 0) {
		replaceChildren(list, h('p', { class: 'empty' }, 'Mentoren har ingen aktive forløb.'));
		return;
	}
	replaceChildren(list,
		h('p', { class: 'desk-count' }, `${plural(courses.length, 'aktivt forløb', 'aktive forløb')}` +
			`${reply.next_after ? ' (de første 100)' : ''}.`),
		h('ul', { class: 'reassign-courses' }, courses.map((c) => courseItem(c, mentorId, list))));
}

function courseItem(course, mentorId, list) {
	const citizen = course.citizen || {};
	const name = citizen.name || 'Borger uden navn';
	return h('li', { class: 'reassign-item' },
		h('h3', null, name),
		h('p', { class: 'actions' },
			h('button', {
				type: 'button',
				class: 'button secondary small',
				on: { click: () => openTimeline(course.id, '#/skrivebord') },
			}, 'Se forløbet', srOnly(` for ${name}`))),
		reassignControls(course, {
			label: `Giv ${name} til`,
			citizen: name,
			done: (to) => {
				setStatus(`Forløbet med ${name} er givet til ${to}.`);
				fetchCourses(viewSeq, mentorId, list);
			},
		}));
}

/* --- dead letters ------------------------------------------------------------ */

async function fetchDead(seq, body, quiet = false) {
	let reply;
	try {
		reply = await endpoints.deadLetters();
	} catch (err) {
		return fetchFailed(seq, body, err, 'beskederne', quiet);
	}
	if (seq !== viewSeq || keepAsIs(body, reply, quiet)) {
		return true;
	}
	const rows = reply && Array.isArray(reply.outbox) ? reply.outbox : [];
	if (rows.length === 0) {
		replaceChildren(body, h('p', { class: 'empty' }, 'Alle beskeder og opkald er kommet frem.'));
		return;
	}
	replaceChildren(body,
		h('p', { class: 'desk-count' },
			`${plural(rows.length, 'besked', 'beskeder')} kom ikke frem til beskedtjenesten. ` +
			`Send ${rows.length === 1 ? 'den' : 'dem'} igen, når fejlen er rettet.`),
		h('ul', { class: 'dead-list' }, rows.map((r) => deadItem(r, body))));
}

function outboxWhat(row) {
	if (row.kind === 'call_task') {
		return `${OUTBOX_KINDS.call_task} (${label(REASONS, row.type).toLowerCase()})`;
	}
	return label(MESSAGE_TYPES, row.type);
}

/* A message to a citizen reaches them late: ask first. */
function retryQuestion(row) {
	if (row.kind !== 'message' || row.type === 'concern') {
		return null;
	}
	return {
		title: 'Send beskeden igen?',
		intro: `${outboxWhat(row)} til borgeren i forløb nr. ${row.course_id}. Når du sender den:`,
		consequences: [
			'Borgeren får beskeden nu, selv om den kommer senere end først tænkt.',
			'Har borgeren alligevel fået den, får borgeren den ikke to gange.',
		],
		confirmText: 'Ja, send beskeden igen',
		cancelText: 'Fortryd',
	};
}

function deadItem(row, body) {
	const at = parseInstant(row.next_attempt_at);
	const what = outboxWhat(row);
	const button = h('button', {
		type: 'button',
		class: 'button primary small',
		on: {
			click: async () => {
				const question = retryQuestion(row);
				if (question && !(await confirmAction(question))) {
					return;
				}
				button.disabled = true;
				try {
					await endpoints.retryOutbox(row.id);
				} catch (err) {
					button.disabled = false;
					if (!handleUnauthorised(err)) {
						setAlert(err instanceof ApiError && err.status === 409
							? 'Beskeden er allerede sendt eller på vej.'
							: failureMessage(err, 'beskeden'));
					}
					return;
				}
				setStatus(`${what} (nr. ${row.id}) sendes igen.`);
				fetchDead(viewSeq, body);
			},
		},
	}, 'Send igen', srOnly(`: ${what} nr. ${row.id}`));
	return h('li', { class: 'dead-item' },
		h('h3', null, `${what} (nr. ${row.id})`),
		h('p', { class: 'dead-meta' },
			row.course_id ? `Forløb nr. ${row.course_id}. ` : '',
			`${plural(Number(row.attempts) || 0, 'forsøg', 'forsøg')}`,
			at ? `, opgivet ${formatInstant(at)}.` : '.'),
		row.last_error ? h('details', { class: 'technical-details' },
			h('summary', null, 'Teknisk fejlbesked til it-supporten'),
			h('code', { lang: 'en' }, row.last_error)) : null,
		h('p', { class: 'actions' },
			row.course_id ? h('button', {
				type: 'button',
				class: 'button secondary small',
				on: { click: () => openTimeline(row.course_id, '#/skrivebord') },
			}, 'Se forløbet', srOnly(` nr. ${row.course_id}`)) : null,
			button));
}
