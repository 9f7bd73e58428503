/*
 * access.js - a citizen's access report (#/adgang, coordinator): who read
 * or changed the citizen's data, when and for what purpose, from the
 * course's audit trail (GET /v1/audit?course=), as a page to print and
 * hand to the citizen. Repeated reads of the same day by the same person
 * for the same purpose are one line with a count, so the report stays
 * readable.
 */

import { endpoints, session } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatDay, formatInstant, isoDateInZone, parseInstant, today } from './format.js';
import { auditAction, auditPurpose, label, ROLE_NAMES } from './i18n.js';
import { go, loading, openTimeline, route, showLoadFailure, showView, viewHeading, viewSeq } from './shell.js';
import { loadConfig, state } from './state.js';

/* Pages of 1000 rows; a course's trail is read whole, within reason. */
const MAX_PAGES = 50;

export function accessView() {
	if (!session.isAdmin()) {
		go('#/kald', true);
		return;
	}
	const courseId = state.accessCourseId;
	if (courseId === null || courseId === undefined) {
		go('#/skrivebord', true);
		return;
	}
	const seq = viewSeq;
	const body = h('div', { class: 'access-body' }, loading('Henter oplysningerne …'));
	const view = h('section', { class: 'view access-view' },
		h('p', { class: 'back no-print' },
			h('a', {
				href: '#/borger',
				on: {
					click: (event) => {
						event.preventDefault();
						openTimeline(courseId, state.courseReturn);
					},
				},
			}, '← Tilbage til forløbet')),
		viewHeading('Hvem har set dine oplysninger'),
		h('p', { class: 'actions no-print' },
			h('button', { type: 'button', class: 'button primary', on: { click: () => window.print() } },
				'Udskriv')),
		body);
	showView('Adgangsrapport', view);
	fetchReport(seq, courseId, body);
}

async function fetchReport(seq, courseId, body) {
	let course;
	const rows = [];
	try {
		const [reply, config] = await Promise.all([endpoints.course(courseId), loadConfig()]);
		course = { ...reply, municipality: config && config.municipality };
		let after = null;
		for (let page = 0; page < MAX_PAGES; page += 1) {
			const part = await endpoints.audit(courseId, after);
			rows.push(...(part && Array.isArray(part.audit) ? part.audit : []));
			after = part ? part.next_after : null;
			if (after === null || after === undefined) {
				break;
			}
		}
	} catch (err) {
		if (seq === viewSeq) {
			showLoadFailure(body, err, 'adgangsrapporten', () => route());
		}
		return;
	}
	if (seq !== viewSeq) {
		return;
	}
	replaceChildren(body, report(course, group(rows)));
}

/* One line per day, person, action and purpose, oldest first. */
function group(rows) {
	const lines = [];
	const byKey = new Map();
	for (const r of rows) {
		const at = parseInstant(r.at);
		if (!at) {
			continue;
		}
		const day = isoDateInZone(at);
		const key = [day, r.token_id, r.role, r.action, r.purpose].join('\u0000');
		const line = byKey.get(key);
		/* mentord counts a read repeated the same day on one row. */
		const last = parseInstant(r.last_at) || at;
		const times = Number.isInteger(r.times) && r.times > 0 ? r.times : 1;
		if (line) {
			line.count += times;
			if (last > line.last) {
				line.last = last;
			}
		} else {
			const fresh = { day, first: at, last, count: times, row: r };
			byKey.set(key, fresh);
			lines.push(fresh);
		}
	}
	return lines;
}

function who(row) {
	const role = label(ROLE_NAMES, row.role);
	const name = row.display_name || row.token_name;
	return name ? `${name} (${role.toLowerCase()})` : role;
}

function time(line) {
	const first = formatInstant(line.first).replace(/^.* /, '');
	const last = formatInstant(line.last).replace(/^.* /, '');
	return first === last ? `kl. ${first}` : `kl. ${first}–${last}`;
}

function report(course, lines) {
	const citizen = course.citizen && typeof course.citizen === 'object' ? course.citizen : course;
	const municipality = course.municipality || '';
	return h('article', { class: 'access-report' },
		h('header', { class: 'access-head' },
			h('p', { class: 'access-sender' }, municipality || 'Kommunen'),
			h('dl', { class: 'facts' },
				h('dt', null, 'Til'), h('dd', null, citizen.name || 'Borgeren'),
				h('dt', null, 'Forløb'), h('dd', null, `Nr. ${course.id}` +
					(course.discharge_date ? `, udskrevet ${formatDay(course.discharge_date, true)}` : '')),
				h('dt', null, 'Dato'), h('dd', null, formatDay(today(), true)))),
		h('p', null,
			'Her kan du se, hvem der har set eller ændret dine oplysninger i ordningen med opkald efter udskrivelsen, ' +
			'hvornår og hvorfor. Hver gang en medarbejder ser eller ændrer dine oplysninger, bliver det skrevet ned, ' +
			'og intet af det bliver slettet.'),
		lines.length === 0
			? h('p', { class: 'empty' }, 'Ingen har set dine oplysninger endnu.')
			: h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Adgang til dine oplysninger', tabindex: '0' },
				h('table', { class: 'access-table' },
				h('caption', null, `Adgang til dine oplysninger (${lines.length} ${lines.length === 1 ? 'linje' : 'linjer'})`),
				h('thead', null, h('tr', null,
					h('th', { scope: 'col' }, 'Dato'),
					h('th', { scope: 'col' }, 'Tidspunkt'),
					h('th', { scope: 'col' }, 'Hvem'),
					h('th', { scope: 'col' }, 'Hvad'),
					h('th', { scope: 'col' }, 'Hvorfor'))),
				h('tbody', null, lines.map((line) => h('tr', null,
					h('td', null, formatDay(line.day)),
					h('td', null, time(line), line.count > 1 ? ` (${line.count} gange)` : ''),
					h('td', null, who(line.row)),
					h('td', null, auditAction(line.row.action)),
					h('td', null, auditPurpose(line.row.purpose))))))),
		h('p', { class: 'access-foot' },
			'Har du spørgsmål til oplysningerne, eller mener du, at nogen har set dem uden grund, ' +
			`så kontakt ${municipality || 'kommunen'}.`));
}
