/*
 * timeline.js - the citizen's course and its log (#/borger), each entry
 * as a Danish sentence naming who did it, with the mentor's notes from the
 * course's calls and its concerns for the citizen's safety. Below the
 * course: "Borgeren ringede" (inbound.js), and for a coordinator the
 * course's mentor and the citizen's access report.
 */

import { endpoints, session } from './api.js';
import { fact, h, replaceChildren } from './dom.js';
import {
	capitalise, formatCallTime, formatDay, formatInstant, formatPhone, isoDateFromInstant, parseInstant, plural,
	telHref,
} from './format.js';
import {
	authorLabel, COURSE_STATES, DELIVERY, DISCHARGE_FIELDS, label, matchReason, MESSAGE_TYPES, MESSAGE_WITHDRAWN, PROGRESS, REASONS,
	RESULTS,
	STATE_REASONS, TASK_WITHDRAWN, TOPIC_LABELS,
} from './i18n.js';
import { inboundSection } from './inbound.js';
import { go, loading, route, setStatus, showLoadFailure, showView, viewHeading, viewSeq } from './shell.js';
import { loadConfig, loadOffers, programmeName, state } from './state.js';
import { mentorSection } from './reassign.js';

export function timelineView() {
	const seq = viewSeq;
	const courseId = state.courseId;
	if (courseId === null || courseId === undefined) {
		go('#/kald', true);
		return;
	}
	const [backHref, backText] = state.courseReturn === '#/kald/registrer' && state.call
		? ['#/kald/registrer', '← Tilbage til registreringen']
		: state.courseReturn === '#/skrivebord'
			? ['#/skrivebord', '← Tilbage til skrivebordet']
			: state.courseReturn === '#/find-borger'
				? ['#/find-borger', '← Tilbage til søgningen']
				: ['#/kald', '← Tilbage til listen'];
	const body = h('div', { class: 'timeline-body' }, loading('Henter forløbet …'));
	const view = h('section', { class: 'view' },
		h('p', { class: 'back' }, h('a', { href: backHref }, backText)),
		viewHeading('Borgerens forløb'),
		body);
	showView('Borgerens forløb', view);
	const flash = state.flash;
	state.flash = null;
	if (flash) {
		setStatus(flash);
	}
	fetchCourse(seq, courseId, body);
}

async function fetchCourse(seq, courseId, body) {
	let reply;
	try {
		[reply] = await Promise.all([endpoints.course(courseId), loadConfig()]);
	} catch (err) {
		if (seq === viewSeq) {
			showLoadFailure(body, err, 'forløbet', () => route());
		}
		return;
	}
	if (seq !== viewSeq) {
		return;
	}
	const { course, log, calls } = normaliseCourse(reply);
	/* The window's wording ("de seks måneder") follows the configuration. */
	await loadConfig();
	if (seq !== viewSeq) {
		return;
	}
	/* Outcomes name their offers by id: fetch the catalogue once for
	 * their names. Without it the log still reads, with numbers. */
	if (!state.offers && log.some((e) => Array.isArray(entryDetails(e).offers) && entryDetails(e).offers.length > 0)) {
		await loadOffers().catch(() => null);
		if (seq !== viewSeq) {
			return;
		}
	}
	replaceChildren(body, courseSummary(course), concernNotice(course), goalsSection(course),
		checklistSection(course), inboundSection(course),
		session.isAdmin() ? mentorSection(course) : null,
		session.isAdmin() ? accessLink(course) : null,
		timeline(log, calls, course));
}

function openConcerns(course) {
	return (Array.isArray(course.concerns) ? course.concerns : []).filter((c) => c && !c.handled_at);
}

/* An open concern for the citizen's safety is the first thing anyone
 * opening the course must see. */
function concernNotice(course) {
	const open = openConcerns(course);
	if (open.length === 0) {
		return null;
	}
	const latest = open[open.length - 1];
	const at = parseInstant(latest.at);
	return h('div', { class: 'notice concern-notice static' },
		h('p', null, h('strong', null, 'Bekymring for borgerens sikkerhed. '),
			`${open.length === 1 ? 'En mentor har' : `Mentorer har ${open.length} gange`} skrevet en bekymring ind`,
			at ? ` (senest ${formatInstant(at)}${latest.author_name ? `, ${latest.author_name}` : ''})` : '',
			'. Koordinatoren følger op.'));
}

function accessLink(course) {
	return h('section', { class: 'course-actions', 'aria-labelledby': 'access-heading' },
		h('h2', { id: 'access-heading' }, 'Borgerens aktindsigt'),
		h('p', { class: 'hint' }, 'Hvem har set eller ændret borgerens oplysninger, hvornår og hvorfor, til at udskrive og give borgeren.'),
		h('button', {
			type: 'button',
			class: 'button secondary',
			on: {
				click: () => {
					state.accessCourseId = course.id;
					go('#/adgang');
				},
			},
		}, 'Vis adgangsrapporten'));
}

/* The progression goals and their latest progress (doc/programmes.md). */
function goalsSection(course) {
	const goals = Array.isArray(course.goals) ? course.goals : [];
	if (goals.length === 0) {
		return null;
	}
	return h('section', { class: 'goals' },
		h('h2', null, 'Mål'),
		h('ul', null, goals.map((g) => h('li', null, g.text,
			g.latest && g.latest.progress
				? h('span', { class: 'badge' }, `${label(PROGRESS, g.latest.progress)} (${formatDay(g.latest.date, true)})`)
				: h('span', { class: 'badge' }, 'ikke fulgt op endnu')))));
}

/* The closing checklist with a tick box per item: no course of the
 * programme ends or closes until every box is ticked. */
function checklistSection(course) {
	const list = course.checklist && Array.isArray(course.checklist.items) ? course.checklist.items : [];
	if (list.length === 0) {
		return null;
	}
	const open = course.state === 'active' || course.state === 'ended';
	return h('section', { class: 'checklist' },
		h('h2', null, 'Afslutning'),
		course.checklist.awaiting_checklist
			? h('p', { class: 'notice' }, 'Perioden er slut. Forløbet lukkes, når alle punkter er krydset af.')
			: null,
		h('ul', { class: 'plain' }, list.map((item) => {
			const box = h('input', { type: 'checkbox', name: `checklist-${item.id}`, disabled: !open });
			box.checked = Boolean(item.ticked);
			box.addEventListener('change', async () => {
				box.disabled = true;
				try {
					await endpoints.checklist(course.id, item.id, box.checked);
					setStatus(box.checked ? `${item.label}: krydset af.` : `${item.label}: kryds fjernet.`);
				} catch (err) {
					box.checked = !box.checked;
					setStatus('Tjeklisten blev ikke gemt. Prøv igen.');
				}
				box.disabled = false;
				route();
			});
			return h('li', null, h('label', null, box, ' ', item.label));
		})));
}

function normaliseCourse(reply) {
	const data = reply && typeof reply === 'object' ? reply : {};
	const course = data.course && typeof data.course === 'object' ? data.course : data;
	const log = [data.log, data.timeline, data.entries, course.log, course.timeline]
		.find(Array.isArray) || [];
	/* The log keeps only codes; the calls carry what the mentor wrote,
	 * found by the call_id of each outcome entry. */
	const calls = new Map();
	for (const call of [data.calls, course.calls].find(Array.isArray) || []) {
		if (call && typeof call === 'object' && call.call_id !== undefined) {
			calls.set(String(call.call_id), call);
		}
	}
	return { course, log, calls };
}

function isSelfReferral(course) {
	return Boolean(course) && course.source === 'self_referral';
}

function courseSummary(course) {
	const citizen = course.citizen && typeof course.citizen === 'object' ? course.citizen : course;
	const span = course.window && typeof course.window === 'object' ? course.window : {};
	const discharge = course.discharge_date || span.start || span.discharge ||
		(course.discharged_at ? isoDateFromInstant(course.discharged_at) : null);
	const windowEnd = course.window_end || course.window_ends || span.end || null;
	const nextCall = course.next_call && typeof course.next_call === 'object' ? course.next_call : null;
	const nextDue = nextCall ? nextCall.due_date || nextCall.due : course.next_call_due;
	const time = formatCallTime(citizen.preferred_call_time || course.preferred_call_time);

	return h('div', { class: 'call-summary' },
		h('h2', null, citizen.name || 'Borger uden navn'),
		h('dl', { class: 'facts' },
			citizen.phone ? fact('Telefon', h('a', { class: 'nowrap', href: telHref(citizen.phone) }, formatPhone(citizen.phone))) : null,
			programmeName(course.programme) ? fact('Ordning', programmeName(course.programme)) : null,
			course.state ? fact('Forløbet er', label(COURSE_STATES, course.state)) : null,
			course.state === 'paused' && parseInstant(course.paused_since)
				? fact('Indlagt igen siden', formatInstant(parseInstant(course.paused_since))) : null,
			course.mentor_name ? fact('Mentor', course.mentor_name) : null,
			isSelfReferral(course) ? fact('Kom ind som', 'Selvhenvendelse: borgeren kontaktede selv kommunen') : null,
			discharge ? fact('Udskrevet', formatDay(discharge, true)) : null,
			windowEnd ? fact('Ordningen varer til og med', formatDay(windowEnd, true)) : null,
			nextDue ? fact('Næste opkald', formatDay(nextDue, true)) : null,
			time ? fact('Foretrækker opkald', time) : null));
}

/* The log as the server gives it is oldest first; a mentor about to
 * call wants the latest first. The order is a toggle, kept for the
 * next course opened. */
function timeline(log, calls, course) {
	if (log.length === 0) {
		return h('p', { class: 'empty' }, 'Forløbet har ingen registreringer endnu.');
	}
	const entries = log.map((entry) => timelineEntry(entry, calls || new Map(), course || {}));
	const heading = h('h2', { id: 'timeline-heading' });
	const list = h('ol', { class: 'timeline' });
	const toggle = h('button', {
		type: 'button',
		class: 'button secondary small',
		'aria-pressed': 'false',
		on: {
			click: () => {
				state.oldestFirst = !state.oldestFirst;
				render();
			},
		},
	}, 'Ældste først');
	function render() {
		heading.textContent = state.oldestFirst ? 'Forløbet fra start til nu' : 'Forløbet, nyeste først';
		toggle.setAttribute('aria-pressed', String(state.oldestFirst));
		replaceChildren(list, state.oldestFirst ? entries : [...entries].reverse());
	}
	render();
	return h('section', { class: 'timeline-section', 'aria-labelledby': 'timeline-heading' },
		h('div', { class: 'timeline-head' }, heading, toggle),
		list);
}

function entryDetails(entry) {
	let details = entry.details;
	if (typeof details === 'string') {
		try {
			details = JSON.parse(details);
		} catch (e) {
			details = { tekst: details };
		}
	}
	return details && typeof details === 'object' && !Array.isArray(details) ? details : {};
}

function timelineEntry(entry, calls, course) {
	const details = entryDetails(entry);
	const kind = typeof entry.kind === 'string' ? entry.kind : '';
	const describe = Object.prototype.hasOwnProperty.call(ENTRY_KINDS, kind) ? ENTRY_KINDS[kind] : null;
	const call = details.call_id !== undefined ? calls.get(String(details.call_id)) : undefined;
	const story = describe ? describe(details, call || null, course) : genericEntry(kind, details);
	const at = parseInstant(entry.at);
	const who = authorLabel(entry.author, entry.author_name);

	return h('li', { class: ['entry', `entry-${story.group || 'other'}`] },
		h('p', { class: 'entry-meta' },
			at ? h('time', { datetime: at.toISOString() }, formatInstant(at)) : null,
			who ? ` · ${capitalise(who)}` : null),
		h('p', { class: 'entry-text' }, story.text),
		story.more && story.more.length > 0 ? h('ul', { class: 'entry-more' }, story.more.map((m) => h('li', null, m))) : null,
		story.note ? h('p', { class: 'entry-note' }, `Notat: ${story.note}`) : null,
		story.facts ? story.facts : null);
}

/* An instant of the log's details, as the page writes instants. */
function formatAt(text) {
	const at = parseInstant(text);
	return at ? formatInstant(at) : '';
}

function stateReason(reason) {
	if (!reason) {
		return '';
	}
	return Object.prototype.hasOwnProperty.call(STATE_REASONS, reason)
		? `: ${STATE_REASONS[reason]}`
		: `. Begrundelse: „${reason}“`;
}

function offerName(id) {
	const offer = (state.offers || []).find((o) => String(o.id) === String(id));
	return offer ? offer.name : `tilbud nr. ${id}`;
}

function deliveryText(details) {
	const status = details.delivery || details.status || details.state;
	return status ? `Status: ${label(DELIVERY, status)}.` : null;
}

/* How a decided course's mentor was chosen (doc/programmes.md). */
function matchLines(match) {
	if (!match || typeof match !== 'object') {
		return [];
	}
	const reasons = (list) => (Array.isArray(list) ? list.map(matchReason).join(', ') : '');
	return [
		match.chosen_by === 'proposal'
			? 'Mentoren var det bedste forslag fra matchningen.'
			: `Koordinatoren valgte mentoren (forslag nr. ${match.rank}).`,
		reasons(match.matched) ? `Passer: ${reasons(match.matched)}.` : null,
		reasons(match.unmatched) ? `Passer ikke: ${reasons(match.unmatched)}.` : null,
	];
}

/* One Danish sentence (plus details) per log kind the daemon writes. */
const ENTRY_KINDS = {
	/* doc/programmes.md: goals, follow-up meetings and the closing checklist. */
	goals_agreed: (d) => ({
		group: 'state',
		text: Array.isArray(d.goal_ids) && d.goal_ids.length === 1 ? 'Et mål blev aftalt.' : 'Mål blev aftalt.',
		more: [],
	}),
	meeting_scheduled: (d) => ({
		group: 'call',
		text: d.due_date ? `Et opfølgningsmøde blev planlagt til ${formatDay(d.due_date, true)}.` : 'Et opfølgningsmøde blev planlagt.',
		more: [],
	}),
	meeting: (d) => ({
		group: 'call',
		text: d.result === 'reached' ? 'Opfølgningsmødet blev holdt.' : 'Opfølgningsmødet blev ikke holdt.',
		more: Array.isArray(d.goals) ? d.goals.map((g) => `Mål ${g.goal_id}: ${label(PROGRESS, g.progress)}.`) : [],
	}),
	checklist_ticked: (d) => ({ group: 'state', text: `Afslutningens punkt „${d.item}“ blev krydset af.`, more: [] }),
	checklist_unticked: (d) => ({ group: 'state', text: `Krydset ved afslutningens punkt „${d.item}“ blev fjernet.`, more: [] }),
	awaiting_checklist: (d) => ({
		group: 'state',
		text: 'Perioden er slut, men afslutningens tjekliste er ikke krydset af: forløbet venter på den.',
		more: Array.isArray(d.missing) ? [`Mangler: ${d.missing.join(', ')}.`] : [],
	}),
	/* doc/programmes.md: a caseworker's referral and the decision on it. */
	referral: (d) => ({
		group: 'state',
		text: 'En sagsbehandler henviste borgeren til forløbet.',
		more: [
			d.need_identified_on ? `Behovet blev konstateret ${formatDay(d.need_identified_on, true)}.` : null,
			d.decision_due ? `Der skal træffes afgørelse senest ${formatDay(d.decision_due, true)}.` : null,
		].filter(Boolean),
	}),
	decision: (d) => ({
		group: 'state',
		text: d.decision === 'start'
			? (d.start_on ? `Det blev besluttet at starte forløbet ${formatDay(d.start_on, true)}.` : 'Det blev besluttet at starte forløbet.')
			: 'Henvisningen blev afvist.',
		more: [
			d.note ? `Begrundelse: „${d.note}“` : null,
			...matchLines(d.match),
		].filter(Boolean),
	}),
	/* The course's source says who told the municipality: psychiatry, or
	 * the citizen, whom a mentor or coordinator registered on the phone. */
	discharge: (d, call, course) => ({
		group: 'state',
		text: isSelfReferral(course)
			? `Borgeren henvendte sig selv til kommunen og blev skrevet ind${d.discharge_date
				? `. Borgeren oplyste at være udskrevet ${formatDay(d.discharge_date, true)}.` : '.'}`
			: d.discharge_date
				? `Udskrivelsen blev meldt til kommunen. Borgeren blev udskrevet ${formatDay(d.discharge_date, true)}.`
				: 'Udskrivelsen blev meldt til kommunen.',
		more: d.window_end ? [`Borgeren kan få opkald til og med ${formatDay(d.window_end, true)}.`] : [],
	}),
	corrected: (d) => {
		const fields = Array.isArray(d.fields)
			? [...new Set(d.fields.map((f) => label(DISCHARGE_FIELDS, f)))] : [];
		return {
			group: 'state',
			text: fields.length > 0
				? `Psykiatrien rettede udskrivelsen: ${fields.join(', ')}.`
				: 'Psykiatrien rettede udskrivelsen.',
			more: d.window_end ? [`Borgeren kan nu få opkald til og med ${formatDay(d.window_end, true)}.`] : [],
		};
	},
	cancellation: (d) => ({
		group: 'state',
		text: d.reason === 'consent_withdrawn'
			? 'Borgeren trak sit samtykke tilbage. Forløbet er stoppet, og oplysningerne om borgeren er slettet.'
			: 'Psykiatrien annullerede udskrivelsen, fordi den var sendt ved en fejl. Forløbet er stoppet.',
	}),
	deceased: () => ({ group: 'state', text: 'Kommunen har fået besked om, at borgeren er død. Al kontakt er stoppet.' }),
	admitted: (d) => ({
		group: 'state',
		text: d.stale
			? 'Psykiatrien meldte en indlæggelse fra før udskrivelsen, som forløbet regner fra. Den ændrer intet.'
			: d.changed === false
			? 'Psykiatrien meldte en indlæggelse. Forløbet ventede allerede.'
			: `Borgeren blev indlagt igen${d.at ? ` ${formatAt(d.at)}` : ''}. Ingen opkald eller beskeder, før borgeren er udskrevet.`,
	}),
	discharged: (d) => ({
		group: 'state',
		text: d.stale === 'before_admission'
			? 'Psykiatrien meldte en udskrivelse fra før indlæggelsen. Den ændrer intet: borgeren er stadig indlagt.'
			: d.stale
			? 'Psykiatrien meldte en udskrivelse fra før den udskrivelse, som forløbet regner fra. Den ændrer intet.'
			: d.changed === false
			? 'Psykiatrien meldte en udskrivelse, som forløbet allerede kendte.'
			: `Borgeren blev udskrevet${d.restart ? ' igen' : ''}${d.at ? ` ${formatAt(d.at)}` : ''}. Opkaldene er planlagt${d.restart ? ' forfra' : ''}.`,
		more: d.window_end ? [`Borgeren kan få opkald til og med ${formatDay(d.window_end, true)}.`] : [],
	}),
	flag_cleared: () => ({
		group: 'state',
		text: 'Psykiatrien rettede telefonnummeret. Markeringen om forkert nummer er fjernet.',
	}),
	supersedes: () => ({ group: 'state', text: 'Forløbet erstatter et tidligere forløb efter en ny udskrivelse.' }),
	superseded: () => ({ group: 'state', text: 'Forløbet blev erstattet af et nyt forløb efter en ny udskrivelse.' }),
	/* A coordinator's assignment names the mentor before, or null when
	 * the course had none; the intake's own has no previous_mentor_id. */
	mentor_assigned: (d) => {
		const name = (n, id) => (typeof n === 'string' && n !== '' ? n : `mentor nr. ${id}`);
		return {
			group: 'state',
			text: d.mentor_id === undefined ? 'Forløbet fik en mentor.'
				: d.previous_mentor_id != null
					? `Forløbet skiftede fra ${name(d.previous_mentor_name, d.previous_mentor_id)} til ${name(d.mentor_name, d.mentor_id)}.`
					: d.previous_mentor_id === null
						? `En koordinator gav forløbet til ${name(d.mentor_name, d.mentor_id)}.`
						: `Forløbet fik ${name(d.mentor_name, d.mentor_id)} som mentor.`,
			more: d.reason ? [`Begrundelse: „${d.reason}“`] : [],
		};
	},
	concern_handled: () => ({
		group: 'state',
		text: 'Koordinatoren har fulgt op på bekymringen for borgerens sikkerhed.',
	}),
	mentor_unassigned: () => ({
		group: 'state',
		text: 'Der var ingen ledig mentor. En koordinator skal tildele forløbet en mentor.',
	}),
	call_scheduled: (d) => ({
		group: 'call',
		text: `${label(REASONS, d.reason || 'follow_up')} planlagt${d.due_date ? ` til ${formatDay(d.due_date, true)}` : ''}` +
			`${Number(d.attempt) > 1 ? ` (forsøg ${d.attempt})` : ''}.`,
		more: d.topic ? [`Aftalt emne: ${d.topic}`] : [],
	}),
	call_cancelled: (d) => ({
		group: 'call',
		text: `Det planlagte opkald blev aflyst${d.reason ? `, fordi ${label(STATE_REASONS, d.reason)}` : ''}.`,
	}),
	outcome: (d, call) => outcomeEntry(d, call),
	/* The original entry stays; the correction is its own entry. */
	outcome_corrected: (d, call) => {
		const entry = outcomeEntry(d, call);
		entry.text = `Udfaldet blev rettet fra „${label(RESULTS, d.previous_result || '')}“. ${entry.text}`;
		return entry;
	},
	reopened: () => ({ group: 'state', text: 'Forløbet fortsætter, fordi udfaldet af et opkald blev rettet.' }),
	unflagged: () => ({ group: 'state', text: 'Telefonnummeret er ikke længere markeret som forkert, fordi udfaldet blev rettet.' }),
	concern_withdrawn: () => ({
		group: 'state',
		text: 'Bekymringen for borgerens sikkerhed blev fjernet, fordi udfaldet blev rettet.',
	}),
	unreached: (d) => ({
		group: 'call',
		text: d.attempts
			? `Borgeren blev ikke truffet efter ${plural(Number(d.attempts), 'forsøg', 'forsøg')}.`
			: 'Borgeren blev ikke truffet.',
		more: ['Næste opkald følger planen.'],
	}),
	message: (d) => ({
		group: 'message',
		text: `${d.type && MESSAGE_TYPES[d.type] ? MESSAGE_TYPES[d.type] : `En besked (${d.type || 'ukendt type'})`} blev sat til afsendelse.`,
		more: [deliveryText(d)].filter(Boolean),
	}),
	message_delivered: (d) => ({
		group: 'message',
		text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} blev leveret.`,
	}),
	call_task_delivered: () => ({
		group: 'call',
		text: 'Opkaldet blev sendt til mentorens opgaveliste.',
	}),
	call_task_withdrawn: (d) => ({
		group: 'call',
		text: `Opkaldet blev taget af mentorens opgaveliste, før det blev sendt${TASK_WITHDRAWN[d.reason] ? `, ${TASK_WITHDRAWN[d.reason]}` : ''}.`,
	}),
	call_task_failed: () => ({
		group: 'call',
		text: 'Opkaldet kunne ikke sendes til mentorens opgaveliste. Koordinatoren kan se fejlen.',
	}),
	call_task_cancel_delivered: () => ({
		group: 'call',
		text: 'Opkaldet blev fjernet fra mentorens opgaveliste.',
	}),
	medcom_leave: (d) => ({
		group: 'state',
		text: String(d.activity || '').startsWith('end-leave')
			? 'Hospitalet meldte, at borgerens orlov fra indlæggelsen er slut.'
			: 'Hospitalet meldte, at borgeren har orlov fra indlæggelsen.',
	}),
	medcom_cancel: () => ({
		group: 'state',
		text: 'Hospitalet annullerede en tidligere besked om borgerens ophold. Koordinatoren ser på, om forløbet skal rettes.',
	}),
	medcom_revise: () => ({
		group: 'state',
		text: 'Hospitalet rettede en tidligere besked om borgerens ophold, men forløbet er ændret siden, så rettelsen er ikke gennemført. Koordinatoren ser på, om forløbet skal rettes.',
	}),
	event_undone: (d) => ({
		group: 'state',
		text: d.event === 'deceased'
			? 'Hospitalet trak beskeden om borgerens død tilbage. Forløbet er genåbnet, men ingen opkald er planlagt: koordinatoren genoptager det, når det er bekræftet.'
			: d.event === 'admitted'
				? 'Hospitalet trak beskeden om, at borgeren blev indlagt, tilbage. Forløbet er, som det var før.'
				: 'Hospitalet trak beskeden om, at borgeren blev udskrevet, tilbage. Forløbet er, som det var før.',
		more: ['Beskeder, der blev stoppet, sendes ikke igen.'],
	}),
	call_task_cancel_failed: () => ({
		group: 'call',
		text: 'Opkaldet kunne ikke fjernes fra mentorens opgaveliste. Koordinatoren kan se fejlen.',
	}),
	message_withdrawn: (d) => ({
		group: 'message',
		text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} blev ikke sendt, ${label(MESSAGE_WITHDRAWN, d.reason || 'resumed')}.`,
	}),
	message_skipped: (d) => ({
		group: 'message',
		text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} blev ikke sendt: telefonnummeret er forkert, og der er intet CPR-nummer at sende den til.`,
	}),
	message_failed: (d) => ({
		group: 'message',
		text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} kunne ikke leveres. Koordinatoren kan se fejlen.`,
	}),
	contact: (d) => ({
		group: 'call',
		text: d.resumes || d.resumed
			? 'Borgeren tog selv kontakt, og forløbet blev genoptaget.'
			: 'Borgeren tog selv kontakt.',
	}),
	resumed: () => ({ group: 'state', text: 'Forløbet blev genoptaget.' }),
	ended: (d) => ({ group: 'state', text: `Forløbet blev afsluttet${stateReason(d.reason)}.` }),
	closed: (d) => ({ group: 'state', text: `Forløbet blev lukket${stateReason(d.reason)}.` }),
	flagged: (d) => ({
		group: 'state',
		text: d.flag === 'wrong_number'
			? 'Telefonnummeret var forkert. Forløbet er sendt til koordinatoren.'
			: `Forløbet blev sendt til koordinatoren${d.flag ? ` (${d.flag})` : ''}.`,
	}),
};
/* Names a delivery report may plausibly get; the same sentences. */
ENTRY_KINDS.message_sent = ENTRY_KINDS.message_delivered;
ENTRY_KINDS.message_dead = ENTRY_KINDS.message_failed;
ENTRY_KINDS.message_dead_letter = ENTRY_KINDS.message_failed;

/* call: the call the outcome is about, with its note, or null. */
function outcomeEntry(d, call) {
	const bits = [];
	if (Number(d.attempt) > 1) {
		bits.push(`forsøg ${d.attempt}`);
	}
	if (d.duration_minutes !== undefined && d.duration_minutes !== null) {
		bits.push(`${d.duration_minutes} min.`);
	}
	const more = [];
	if (Array.isArray(d.topics) && d.topics.length > 0) {
		more.push(`Emner: ${d.topics.map((t) => label(TOPIC_LABELS, t)).join('; ')}.`);
	}
	if (Array.isArray(d.offers) && d.offers.length > 0) {
		more.push(`Tilbud: ${d.offers.map(offerName).join('; ')}.`);
	}
	if (d.followup || d.send_followup) {
		more.push('Borgeren skal have en opfølgende besked.');
	}
	if (d.result === 'reached' && d.next === 'end') {
		more.push('Det blev aftalt at afslutte forløbet.');
	} else if (d.result === 'reached' && d.next === 'continue') {
		more.push('Det blev aftalt at fortsætte.');
	}
	if (d.concern === true || (call && call.concern === true)) {
		more.unshift('Mentoren skrev en bekymring for borgerens sikkerhed ind.');
	}
	return {
		group: d.concern === true || (call && call.concern === true) ? 'concern' : 'outcome',
		text: `Opkald: ${label(RESULTS, d.result || '')}${bits.length ? ` (${bits.join(', ')})` : ''}.`,
		more,
		note: call && typeof call.note === 'string' && call.note.trim() !== '' ? call.note : null,
	};
}

/* A kind this page does not know yet: its name and details, as text. */
function genericEntry(kind, details) {
	const entries = Object.entries(details);
	return {
		group: 'other',
		text: `Hændelse: ${kind || 'ukendt'}.`,
		facts: entries.length > 0
			? h('dl', { class: 'entry-facts' }, entries.map(([k, v]) =>
				fact(k, v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))))
			: null,
	};
}
