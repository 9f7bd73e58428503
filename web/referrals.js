/*
 * referrals.js - "Henvisninger" (#/henvisninger, coordinator): the young
 * people a caseworker has referred, awaiting a decision
 * (GET /v1/referrals), and for each the mentors proposed by matching
 * with their reasons (GET /v1/referrals/{id}/proposals). The coordinator
 * takes the best proposal or picks another and starts the course
 * (POST /v1/referrals/{id}/decision). doc/programmes.md, "Matching".
 */

import { ApiError, endpoints, session } from './api.js';
import { fact, h, replaceChildren } from './dom.js';
import { choice, createErrors, errorSummary, field, serverErrors, setSubmitting } from './forms.js';
import { formatDay, plural, today } from './format.js';
import { failureMessage, GENDERS, label, matchReason } from './i18n.js';
import { go, handleUnauthorised, loading, route, setStatus, showLoadFailure, showView, viewHeading, viewSeq } from './shell.js';
import { loadConfig, programmeName, state } from './state.js';

export function referralsView() {
	if (!session.isAdmin()) {
		go('#/kald', true);
		return;
	}
	const seq = viewSeq;
	const list = h('div', { class: 'referral-list' }, loading('Henter henvisninger …'));
	const view = h('section', { class: 'view referrals-view' },
		viewHeading('Henvisninger'),
		h('p', { class: 'lead' },
			'Unge, som en sagsbehandler har henvist, og som venter på en afgørelse. Mentorerne foreslås efter, hvor godt de passer til den unges ønsker; du kan vælge en anden.'),
		list);
	showView('Henvisninger', view);
	const flash = state.flash;
	state.flash = null;
	if (flash) {
		setStatus(flash);
	}
	Promise.all([endpoints.referrals(), loadConfig()]).then(([reply]) => {
		if (seq !== viewSeq) {
			return;
		}
		const referrals = Array.isArray(reply.referrals) ? reply.referrals : [];
		if (referrals.length === 0) {
			replaceChildren(list, h('p', { class: 'empty' }, 'Ingen henvisninger venter på en afgørelse.'));
			return;
		}
		replaceChildren(list, h('ul', { class: 'referrals' }, referrals.map(referralItem)));
	}).catch((err) => {
		if (seq === viewSeq) {
			showLoadFailure(list, err, 'henvisningerne', () => route());
		}
	});
}

function deadlineText(r) {
	const due = formatDay(r.decision_due, true);
	if (r.days_left < 0) {
		return `${due}: ${plural(-r.days_left, 'dag', 'dage')} over fristen`;
	}
	return r.days_left === 0 ? `${due}: i dag` : `${due}: ${plural(r.days_left, 'dag', 'dage')} tilbage`;
}

function wishesText(w) {
	if (!w || typeof w !== 'object') {
		return 'Ingen';
	}
	const parts = [];
	if (w.gender) {
		parts.push(matchReason(`gender:${w.gender}`));
	}
	for (const [key, kind] of [['languages', 'language'], ['competences', 'competence'], ['interests', 'interest']]) {
		for (const v of Array.isArray(w[key]) ? w[key] : []) {
			parts.push(matchReason(`${kind}:${v}`));
		}
	}
	return parts.length > 0 ? parts.join(', ') : 'Ingen';
}

function referralItem(r) {
	const name = r.citizen && r.citizen.name ? r.citizen.name : 'Borger';
	const body = h('div', { class: 'proposal-body' });
	const open = h('button', { type: 'button', class: 'button secondary' }, 'Vis forslag til mentor');
	open.addEventListener('click', () => {
		open.hidden = true;
		decisionForm(r, name, body);
	});
	return h('li', { class: ['referral', r.at_risk || r.overdue ? 'at-risk' : null] },
		h('article', null,
			h('h2', null, name),
			h('dl', { class: 'facts' },
				fact('Forløb', programmeName(r.programme) || r.programme_name || r.programme),
				fact('Afgørelse senest', deadlineText(r)),
				fact('Ønsker til mentor', wishesText(r.wishes)),
				r.wishes && r.wishes.note ? fact('Bemærkning', r.wishes.note) : null),
			open,
			body));
}

/* One proposal's reasons in Danish. */
function proposalHint(p) {
	const parts = [];
	if (p.matched.length > 0) {
		parts.push(`Passer: ${p.matched.map(matchReason).join(', ')}.`);
	}
	if (p.unmatched.length > 0) {
		parts.push(`Passer ikke: ${p.unmatched.map(matchReason).join(', ')}.`);
	}
	parts.push(`${plural(p.active_courses, 'aktivt forløb', 'aktive forløb')}.`);
	if (!p.available) {
		parts.push('Ikke på arbejde på startdagen.');
	}
	if (p.profile && p.profile.gender && !p.matched.concat(p.unmatched).some((x) => x.startsWith('gender:'))) {
		parts.push(`Køn: ${label(GENDERS, p.profile.gender)}.`);
	}
	return parts.join(' ');
}

/* The proposals on the start day, the pick, and the decision. */
function decisionForm(r, name, body) {
	const errors = createErrors(errorSummary());
	const startOn = h('input', { type: 'date', name: 'start_on', value: today(), min: today() });
	const choices = h('div', { class: 'proposals' }, loading('Henter forslag …'));
	const button = h('button', { type: 'submit', class: 'button primary' }, 'Start forløbet');
	let proposals = [];
	const form = h('form', { class: 'decision-form', novalidate: true },
		errors.summary,
		field({ id: `start-on-${r.course_id}`, labelText: 'Startdato', control: startOn, errors, path: 'start_on' }),
		h('fieldset', null, h('legend', null, `Mentor til ${name}`), choices),
		h('div', { class: 'actions' }, button));
	replaceChildren(body, form);

	const load = async () => {
		try {
			const reply = await endpoints.proposals(r.course_id, startOn.value || today());
			proposals = Array.isArray(reply.proposals) ? reply.proposals : [];
		} catch (err) {
			showLoadFailure(choices, err, 'forslagene');
			return;
		}
		if (proposals.length === 0) {
			replaceChildren(choices, h('p', { class: 'empty' }, 'Der er ingen aktive mentorer.'));
			return;
		}
		replaceChildren(choices, proposals.map((p, i) => choice('radio', {
			id: `proposal-${r.course_id}-${p.mentor_id}`,
			name: `mentor-${r.course_id}`,
			value: String(p.mentor_id),
			labelText: i === 0 ? `${p.name} (bedste forslag)` : p.name,
			hint: proposalHint(p),
			checked: i === 0,
		}).node));
	};
	startOn.addEventListener('change', load);
	load();

	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		if (button.disabled) {
			return;
		}
		const picked = form.querySelector(`input[name="mentor-${r.course_id}"]:checked`);
		errors.clear();
		const decision = { decision: 'start', start_on: startOn.value || today() };
		/* The best proposal is the decision's own choice, logged as such;
		 * another mentor is the coordinator's pick. */
		if (picked && proposals.length > 0 && picked.value !== String(proposals[0].mentor_id)) {
			decision.mentor_id = Number(picked.value);
		}
		setSubmitting(button, true, 'Gemmer …');
		let reply;
		try {
			reply = await endpoints.decide(r.course_id, decision);
		} catch (err) {
			setSubmitting(button, false);
			if (handleUnauthorised(err)) {
				return;
			}
			if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
				errors.show(serverErrors(err.fieldErrors), [failureMessage(err, 'afgørelsen')]);
			} else {
				errors.show([], [failureMessage(err, 'afgørelsen')]);
			}
			return;
		}
		const mentor = proposals.find((p) => p.mentor_id === reply.mentor_id);
		state.flash = mentor
			? `Forløbet med ${name} er startet med ${mentor.name} som mentor.`
			: `Forløbet med ${name} er startet.`;
		route();
	});
}
