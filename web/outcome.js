/*
 * outcome.js - the outcome form (#/kald/registrer) for the call chosen in
 * the queue: what happened, a concern for the citizen's safety (with the
 * municipality's crisis procedure and numbers), the conversation, offers
 * and a follow-up message, the next step; POST /v1/calls/{id}/outcome.
 * The same form corrects an outcome recorded today ("Ret udfald" in the
 * done list): PUT with the same body, the previous result chosen.
 */

import { ApiError, endpoints } from './api.js';
import { append, fact, h, replaceChildren, srOnly } from './dom.js';
import {
	checkbox, confirmAction, createErrors, errorSlot, errorSummary, field, radio, serverErrors, setSubmitting,
} from './forms.js';
import { addDays, formatCallTime, formatDay, formatPhone, isIsoDate, plural, telHref, today } from './format.js';
import {
	COURSE_STATES, describeLastContact, failureMessage, label, REASONS, RESULT_HINTS, RESULTS, TOPICS, windowText,
} from './i18n.js';
import { clearMessages, go, handleUnauthorised, loading, openTimeline, showView, viewHeading } from './shell.js';
import { addDone, loadConfig, loadOffers, offerMatches, state } from './state.js';

export function outcomeView() {
	const call = state.call;
	if (!call) {
		go('#/kald', true);
		return;
	}
	const correcting = Boolean(call.correcting);
	if (!state.outcomeForm || state.outcomeForm.callId !== call.call_id ||
		state.outcomeForm.correcting !== correcting) {
		state.outcomeForm = { callId: call.call_id, correcting, node: buildOutcomeView(call) };
	}
	showView(correcting ? 'Ret udfald' : 'Registrér opkald', state.outcomeForm.node);
}

function buildOutcomeView(call) {
	const citizen = call.citizen || {};
	const name = citizen.name || 'Borger uden navn';
	const errors = createErrors(errorSummary());
	const form = buildOutcomeForm(call, errors);
	const time = formatCallTime(call.preferred_call_time);

	return h('section', { class: 'view' },
		h('p', { class: 'back' },
			h('a', { href: '#/kald' }, '← Tilbage til listen')),
		viewHeading(call.correcting ? 'Ret udfaldet af opkaldet' : 'Registrér opkaldet'),
		call.correcting && call.previous ? h('p', { class: 'correction-note' },
			`Registreret i dag som „${label(RESULTS, call.previous.result)}“. ` +
			'Vælg det rigtige udfald. Beskeder, der ikke er sendt endnu, bliver erstattet; ' +
			'en besked, der allerede er sendt, kan ikke kaldes tilbage.') : null,
		h('div', { class: 'call-summary' },
			h('h2', null, name),
			h('dl', { class: 'facts' },
				citizen.phone ? fact('Telefon', h('a', { class: 'nowrap', href: telHref(citizen.phone) }, formatPhone(citizen.phone))) : null,
				fact('Årsag', label(REASONS, call.reason)),
				fact('Forsøg', String(Number(call.attempt) || 1)),
				call.agreed_topic ? fact('Aftalt emne', call.agreed_topic) : null,
				time ? fact('Foretrækker opkald', time) : null,
				fact('Seneste kontakt', describeLastContact(call.last_contact))),
			h('button', {
				type: 'button',
				class: 'button secondary',
				on: { click: () => openTimeline(call.course_id, '#/kald/registrer') },
			}, 'Se forløbet', srOnly(` for ${name}`))),
		errors.summary,
		form);
}

function buildOutcomeForm(call, errors) {
	const form = h('form', { class: 'outcome', novalidate: true });
	const parts = {
		result: resultFieldset(errors),
		concern: concernSection(errors),
		conversation: conversationSection(errors),
		offers: offersSection(errors),
		next: nextStepSection(errors),
		note: noteField(errors),
	};
	const submit = h('button', { type: 'submit', class: 'button primary' },
		call.correcting ? 'Gem rettelsen' : 'Gem opkaldet');
	/* A follow-up meeting takes no next step: the next meeting follows the
	 * rhythm (doc/programmes.md), and the server refuses "next". */
	const reachedOnly = h('div', { class: 'reached-only', hidden: true },
		parts.conversation.node, parts.offers.node, isMeeting(call) ? null : parts.next.node);

	const resultHint = h('p', { class: 'result-hint', 'aria-live': 'polite' });
	parts.result.onChange((result) => {
		reachedOnly.hidden = result !== 'reached';
		resultHint.textContent = result ? RESULT_HINTS[result] : '';
		parts.concern.show(result === 'reached' || result === 'declined', result);
	});

	append(form, parts.result.node, resultHint, parts.concern.node, reachedOnly, parts.note.node,
		h('div', { class: 'actions' },
			submit,
			h('button', { type: 'button', class: 'button secondary', on: { click: cancelOutcome } }, 'Annullér')));

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		submitOutcome(call, parts, errors, submit);
	});
	if (call.correcting && call.previous) {
		parts.result.set(call.previous.result);
		parts.note.set(call.previous.note || '');
	}
	return form;
}

/* Cancel drops the draft; the back link keeps it. */
function cancelOutcome() {
	state.call = null;
	state.outcomeForm = null;
	go('#/kald');
}

function resultFieldset(errors) {
	const slot = errorSlot('outcome-result-error');
	const radios = Object.entries(RESULTS).map(([value, text]) =>
		radio({ id: `outcome-result-${value}`, name: 'result', value, labelText: text }));
	const inputs = radios.map((r) => r.input);
	const node = h('fieldset', { class: 'group' },
		h('legend', null, 'Hvordan gik opkaldet?'),
		slot,
		h('div', { class: 'choices' }, radios.map((r) => r.node)));
	errors.bind('result', 'Hvordan gik opkaldet?', slot, inputs[0], inputs);
	return {
		node,
		value: () => (inputs.find((i) => i.checked) || {}).value || '',
		/* Choose a result as if the mentor had (a correction starts there). */
		set(value) {
			const input = inputs.find((i) => i.value === value);
			if (input) {
				input.checked = true;
				input.dispatchEvent(new Event('change'));
			}
		},
		onChange(fn) {
			for (const input of inputs) {
				input.addEventListener('change', () => fn(input.value));
			}
		},
	};
}

/* The numbers that hold everywhere in Denmark, for a page that could not
 * read the configured ones. */
const FALLBACK_NUMBERS = [
	{ label: 'Alarmcentralen', phone: '112' },
	{ label: 'Livslinien', phone: '70 201 201' },
];

/*
 * "Bekymring for borgerens sikkerhed": after a conversation (reached or
 * declined) the mentor may record a concern. Ticking it shows the
 * municipality's crisis procedure and numbers (crisis in mentord.conf)
 * at once, before anything is saved, and says what follows.
 */
function concernSection(errors) {
	const slot = errorSlot('outcome-concern-error');
	const box = checkbox({
		id: 'outcome-concern',
		name: 'concern',
		value: 'true',
		labelText: 'Bekymring for borgerens sikkerhed',
		hint: 'Sæt kryds, hvis du er bekymret for, om borgeren kan passe på sig selv.',
	});
	const procedure = h('div', { class: 'crisis-procedure' });
	const numbers = h('ul', { class: 'crisis-numbers' });
	const follows = h('ul', { class: 'crisis-follows' });
	const panel = h('section', {
		class: 'crisis',
		id: 'outcome-crisis',
		hidden: true,
		'aria-labelledby': 'outcome-crisis-heading',
	},
	h('h2', { id: 'outcome-crisis-heading' }, 'Sådan gør du nu'),
	procedure,
	h('h3', null, 'Numre'),
	numbers,
	h('h3', null, 'Når du gemmer'),
	follows);
	box.input.setAttribute('aria-controls', 'outcome-crisis');
	let result = '';

	function render(config) {
		const crisis = config && config.crisis && typeof config.crisis === 'object' ? config.crisis : {};
		const text = typeof crisis.procedure === 'string' ? crisis.procedure.trim() : '';
		replaceChildren(procedure, text
			? text.split(/\n\s*\n/).map((p) => h('p', null, p.trim()))
			: h('p', null, 'Er borgeren i akut fare, så ring 112. Ring derefter til din koordinator.'));
		const list = Array.isArray(crisis.numbers) && crisis.numbers.length > 0 ? crisis.numbers : FALLBACK_NUMBERS;
		replaceChildren(numbers, list.filter((n) => n && n.phone).map((n) =>
			h('li', null,
				h('span', { class: 'crisis-label' }, n.label || ''),
				' ',
				h('a', { class: 'phone-link', href: telHref(n.phone) }, n.phone))));
		const notify = crisis.notify === true;
		replaceChildren(follows,
			h('li', null, notify
				? 'Koordinatoren ser bekymringen med det samme og får en besked på telefonen.'
				: 'Koordinatoren ser bekymringen med det samme.'),
			result === 'reached'
				? h('li', null, 'Næste opkald planlægges til næste hverdag, medmindre I aftaler en anden dato.')
				: null);
	}
	function update() {
		panel.hidden = !box.input.checked || box.node.hidden;
		if (!panel.hidden) {
			render(state.config);
		}
	}
	box.input.addEventListener('change', update);
	/* Fetched now, so the numbers are there the moment the box is ticked. */
	loadConfig().then(() => {
		if (!panel.hidden) {
			render(state.config);
		}
	});
	errors.bind('concern', 'Bekymring for borgerens sikkerhed', slot, box.input);
	const node = h('div', { class: 'concern', hidden: true }, slot, box.node, panel);
	return {
		node,
		show(visible, r) {
			result = r;
			node.hidden = !visible;
			box.node.hidden = !visible;
			update();
		},
		value: () => !node.hidden && box.input.checked,
	};
}

function conversationSection(errors) {
	const topicsSlot = errorSlot('outcome-topics-error');
	const boxes = TOPICS.map(([code, text]) =>
		checkbox({ id: `outcome-topic-${code}`, name: 'topics', value: code, labelText: text }));
	const inputs = boxes.map((b) => b.input);
	errors.bind('topics', 'Samtalens emner', topicsSlot, inputs[0], inputs);

	const duration = h('input', {
		type: 'number',
		name: 'duration_minutes',
		inputmode: 'numeric',
		min: '0',
		max: '600',
		step: '1',
	});

	const node = h('fieldset', { class: 'group' },
		h('legend', null, 'Samtalen'),
		h('p', { class: 'hint' }, 'Sæt kryds ved det, I kom ind på. Der er ingen fast spørgeramme.'),
		topicsSlot,
		h('div', { class: 'choices' }, boxes.map((b) => b.node)),
		field({
			id: 'outcome-duration',
			labelText: 'Varighed i minutter (frivilligt)',
			control: duration,
			errors,
			path: 'duration_minutes',
			extraClass: 'short',
		}));
	return {
		node,
		topics: () => inputs.filter((i) => i.checked).map((i) => i.value),
		duration: () => duration.value.trim(),
	};
}

function noteField(errors) {
	const note = h('textarea', { name: 'note', rows: '5', maxlength: '10000' });
	return {
		node: field({
			id: 'outcome-note',
			labelText: 'Notat (frivilligt)',
			hint: 'Kun til brug i forløbet. Skriv kun det, der er nødvendigt.',
			control: note,
			errors,
			path: 'note',
		}),
		value: () => note.value.trim(),
		set(text) {
			note.value = text;
		},
	};
}

/* The catalogue as a searchable list of checkboxes; chosen offers stay
 * visible whatever the search says. */
function offersSection(errors) {
	const slot = errorSlot('outcome-offers-error');
	const search = h('input', { type: 'search', name: 'offer-search', autocomplete: 'off' });
	const count = h('p', { class: 'hint', 'aria-live': 'polite' });
	const list = h('div', { class: 'choices offer-choices' }, loading('Henter tilbud …'));
	const followup = checkbox({
		id: 'outcome-followup',
		name: 'send_followup',
		value: 'true',
		labelText: 'Send en opfølgende besked til borgeren',
		hint: 'Beskeden indeholder kontaktoplysninger på de valgte tilbud og det næste aftalte opkald.',
	});
	const followupSlot = errorSlot('outcome-followup-error');
	let inputs = [];

	const searchField = field({
		id: 'outcome-offer-search',
		labelText: 'Søg efter tilbud (navn eller kategori)',
		control: search,
	});
	errors.bind('offers', 'Tilbud', slot, search);
	errors.bind('send_followup', 'Opfølgende besked', followupSlot, followup.input);

	function refresh() {
		const q = search.value.trim();
		let visible = 0;
		for (const input of inputs) {
			const show = input.checked || offerMatches(input.offer, q);
			input.closest('.choice').hidden = !show;
			visible += show ? 1 : 0;
		}
		const chosen = inputs.filter((i) => i.checked).length;
		count.textContent = `${plural(visible, 'tilbud', 'tilbud')} vist, ${chosen} valgt.`;
	}

	search.addEventListener('input', refresh);
	loadOffers().then((offers) => {
		if (offers.length === 0) {
			replaceChildren(list, h('p', { class: 'empty' }, 'Kataloget har ingen tilbud endnu.'));
			return;
		}
		const boxes = offers.map((offer) => {
			const box = checkbox({
				id: `outcome-offer-${offer.id}`,
				name: 'offers',
				value: String(offer.id),
				labelText: offer.category ? `${offer.name} – ${offer.category}` : offer.name,
			});
			box.input.offer = offer;
			box.input.addEventListener('change', refresh);
			return box;
		});
		inputs = boxes.map((b) => b.input);
		replaceChildren(list, boxes.map((b) => b.node));
		refresh();
	}).catch((err) => {
		if (handleUnauthorised(err)) {
			return;
		}
		replaceChildren(list, h('p', { class: 'notice error static' },
			`${failureMessage(err, 'tilbudskataloget')} Du kan gemme opkaldet uden tilbud.`));
	});

	const node = h('fieldset', { class: 'group' },
		h('legend', null, 'Tilbud og opfølgende besked'),
		searchField,
		count,
		slot,
		list,
		followupSlot,
		followup.node);
	return {
		node,
		chosen: () => inputs.filter((i) => i.checked).map((i) => i.offer.id),
		followup: () => followup.input.checked,
	};
}

function nextStepSection(errors) {
	const slot = errorSlot('outcome-next-error');
	const choices = [
		radio({
			id: 'outcome-next-plan', name: 'next', value: 'plan', checked: true,
			labelText: 'Fortsæt efter planen',
			hint: 'Det næste opkald planlægges automatisk.',
		}),
		radio({
			id: 'outcome-next-agreed', name: 'next', value: 'agreed',
			labelText: 'Fortsæt på en aftalt dato',
		}),
		radio({
			id: 'outcome-next-end', name: 'next', value: 'end',
			labelText: 'Afslut forløbet',
			hint: `Borgeren får en afslutningsbesked og kan selv vende tilbage inden for ${windowText()}.`,
		}),
	];
	const inputs = choices.map((c) => c.input);

	const date = h('input', { type: 'date', name: 'next-date', min: addDays(today(), 1) });
	const topic = h('input', { type: 'text', name: 'next-topic', maxlength: '200', autocomplete: 'off' });
	const reason = h('input', { type: 'text', name: 'next-reason', maxlength: '200', autocomplete: 'off' });

	const agreed = h('div', { class: 'subfields', hidden: true },
		field({
			id: 'outcome-next-date', labelText: 'Aftalt dato', control: date, errors, path: 'next.date',
			hint: 'Tidligst i morgen. Falder dagen ikke på en hverdag, flyttes opkaldet til næste hverdag.',
		}),
		field({
			id: 'outcome-next-topic', labelText: 'Hvad skal I tale om?', control: topic, errors, path: 'next.topic',
		}));
	const end = h('div', { class: 'subfields', hidden: true },
		field({
			id: 'outcome-next-reason', labelText: 'Hvorfor afsluttes forløbet?', control: reason, errors,
			path: 'next.reason',
		}));
	/* Sub-fields follow their choice, so keyboard order matches reading order. */
	const group = h('div', { class: 'choices' },
		choices[0].node, choices[1].node, agreed, choices[2].node, end);

	for (const input of inputs) {
		input.addEventListener('change', () => {
			agreed.hidden = value() !== 'agreed';
			end.hidden = value() !== 'end';
		});
	}
	function value() {
		return (inputs.find((i) => i.checked) || {}).value || 'plan';
	}

	errors.bind('next', 'Næste skridt', slot, inputs[0], inputs);
	errors.bind('next.action', 'Næste skridt', slot, inputs[0], inputs);

	const node = h('fieldset', { class: 'group' },
		h('legend', null, 'Næste skridt'),
		slot,
		group);
	return {
		node,
		value,
		date: () => date.value,
		topic: () => topic.value.trim(),
		reason: () => reason.value.trim(),
	};
}

function isMeeting(call) {
	return call.kind === 'meeting';
}

/* The request body of POST /v1/calls/{id}/outcome, and the problems a
 * mentor can be told about before the server is asked. */
function collectOutcome(parts, call) {
	const result = parts.result.value();
	const body = { result };
	const problems = [];
	if (!result) {
		problems.push({ field: 'result', message: 'Vælg hvordan opkaldet gik.' });
	}
	const note = parts.note.value();
	if (note) {
		body.note = note;
	}
	if (parts.concern.value()) {
		body.concern = true;
	}
	if (result !== 'reached') {
		return { body, problems };
	}

	body.topics = parts.conversation.topics();
	const duration = parts.conversation.duration();
	if (duration !== '') {
		const minutes = Number(duration);
		if (!Number.isInteger(minutes) || minutes < 0 || minutes > 600) {
			problems.push({ field: 'duration_minutes', message: 'Skriv varigheden i hele minutter, fra 0 til 600.' });
		} else {
			body.duration_minutes = minutes;
		}
	}
	body.offers = parts.offers.chosen();
	body.send_followup = parts.offers.followup();
	if (isMeeting(call)) {
		return { body, problems };
	}

	const next = parts.next.value();
	if (next === 'plan') {
		body.next = { action: 'continue' };
	} else if (next === 'agreed') {
		body.next = { action: 'continue' };
		const date = parts.next.date();
		if (!isIsoDate(date)) {
			problems.push({ field: 'next.date', message: 'Vælg den dato, I har aftalt.' });
		} else if (date <= today()) {
			problems.push({ field: 'next.date', message: 'Datoen skal være i morgen eller senere.' });
		} else {
			body.next.date = date;
		}
		const topic = parts.next.topic();
		if (topic) {
			body.next.topic = topic;
		}
	} else {
		const reason = parts.next.reason();
		body.next = { action: 'end', reason };
		if (!reason) {
			problems.push({ field: 'next.reason', message: 'Skriv kort, hvorfor forløbet afsluttes.' });
		}
	}
	return { body, problems };
}

async function submitOutcome(call, parts, errors, submit) {
	if (submit.disabled) {
		return;
	}
	const { body, problems } = collectOutcome(parts, call);
	if (problems.length > 0) {
		errors.show(problems);
		return;
	}
	errors.clear();
	clearMessages();
	const question = call.correcting ? correctionWillNotice(call, body) : citizenWillNotice(call, body);
	/* The dialog is modal: nothing else on the page can be used meanwhile. */
	if (question && !(await confirmAction(question))) {
		return;
	}
	setSubmitting(submit, true, 'Gemmer …');
	let reply;
	try {
		reply = call.correcting
			? await endpoints.correctOutcome(call.call_id, body)
			: await endpoints.outcome(call.call_id, body);
	} catch (err) {
		setSubmitting(submit, false);
		outcomeFailed(err, errors, call.correcting);
		return;
	}
	setSubmitting(submit, false);
	const name = citizenName(call);
	const { saved, next } = describeOutcomeReply(name, body.result, reply, call.correcting);
	const { correcting, previous, ...entry } = call;
	addDone({
		mentor: state.queueMentor,
		callId: call.call_id,
		courseId: call.course_id,
		name,
		result: body.result,
		next,
		call: entry,
		body,
	});
	const concern = body.concern ? ' Koordinatoren kan se din bekymring.' : '';
	const kept = correcting && reply && Number(reply.messages_kept) > 0
		? ' En besked var allerede sendt til borgeren og kan ikke kaldes tilbage.' : '';
	state.flash = (next ? `${saved} ${next}` : saved) + concern + kept;
	state.call = null;
	state.outcomeForm = null;
	go('#/kald', true);
}

function citizenName(call) {
	return (call.citizen && call.citizen.name) || 'Borger uden navn';
}

/*
 * What the citizen will notice of this outcome, as a question for the
 * mentor, or null. Ending the course (by agreement, or because the
 * citizen declines contact) stops the calls and sends the closing
 * message; the rest (a retry, a follow-up after a conversation that goes
 * on) is what the citizen expects from the call itself.
 */
function citizenWillNotice(call, body) {
	const ends = body.result === 'declined' || (body.result === 'reached' && body.next && body.next.action === 'end');
	if (!ends) {
		return null;
	}
	const consequences = ['Forløbet afsluttes, og der ringes ikke flere gange.'];
	const messages = state.config && state.config.messages ? state.config.messages : {};
	if (body.send_followup) {
		consequences.push('Borgeren får en opfølgende besked i Digital Post med de valgte tilbud.');
	}
	if (messages.closing !== false) {
		consequences.push('Borgeren får en afslutningsbesked i Digital Post med steder at finde støtte.');
	}
	if (body.concern) {
		consequences.push('Koordinatoren ser din bekymring for borgerens sikkerhed med det samme.');
	}
	consequences.push(`Borgeren kan selv vende tilbage inden for ${windowText()} efter udskrivelsen.`);
	return {
		title: `Afslut forløbet med ${citizenName(call)}?`,
		intro: body.result === 'declined'
			? 'Du har valgt „Ønsker ikke kontakt“. Når du gemmer:'
			: 'Du har valgt at afslutte forløbet. Når du gemmer:',
		consequences,
		confirmText: 'Ja, gem og afslut forløbet',
		cancelText: 'Fortryd',
	};
}

/* What a correction changes for the citizen, as a question, or null
 * when the citizen notices nothing of it (a retry instead of a plan step,
 * a corrected duration). */
function correctionWillNotice(call, body) {
	const prev = call.previous || {};
	const ends = (b) => b.result === 'declined' || (b.result === 'reached' && b.next && b.next.action === 'end');
	if (ends(body) && !ends(prev)) {
		return citizenWillNotice(call, body);
	}
	const consequences = [];
	if (ends(prev) && !ends(body)) {
		consequences.push('Forløbet fortsætter, og borgeren bliver ringet op igen.');
		consequences.push('Afslutningsbeskeden trækkes tilbage, hvis den ikke er sendt endnu. Er den sendt, kan den ikke kaldes tilbage.');
	}
	if (prev.send_followup && !body.send_followup) {
		consequences.push('Den opfølgende besked trækkes tilbage, hvis den ikke er sendt endnu.');
	} else if (!prev.send_followup && body.send_followup) {
		consequences.push('Borgeren får en opfølgende besked i Digital Post med de valgte tilbud.');
	}
	if (consequences.length === 0) {
		return null;
	}
	return {
		title: `Ret udfaldet for ${citizenName(call)}?`,
		intro: 'Når du gemmer rettelsen:',
		consequences,
		confirmText: 'Ja, gem rettelsen',
		cancelText: 'Fortryd',
	};
}

function outcomeFailed(err, errors, correcting = false) {
	if (handleUnauthorised(err)) {
		return;
	}
	if (correcting && err instanceof ApiError && err.status === 409) {
		errors.show([], ['Udfaldet kan kun rettes samme dag, og kun indtil forløbet har ændret sig siden. Registrér i stedet en henvendelse på borgerens forløb.']);
		return;
	}
	if (correcting && err instanceof ApiError && err.status === 403) {
		errors.show([], ['Kun den mentor, der registrerede opkaldet, eller en koordinator kan rette udfaldet.']);
		return;
	}
	if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
		errors.show(serverErrors(err.fieldErrors), [failureMessage(err, 'opkaldet')]);
		return;
	}
	if (err instanceof ApiError && err.status === 409) {
		errors.show([], ['Opkaldet er allerede registreret, eller det er aflyst. Gå tilbage til listen og hent den igen.']);
		return;
	}
	const general = [failureMessage(err, 'opkaldet')];
	if (err instanceof ApiError && err.status >= 500) {
		general.push(`Fejlkode: ${err.status}`);
	}
	errors.show([], general);
}

/* The saved message, naming the citizen, and what follows (the reply's
 * course state and next call, read leniently: the course may be nested
 * or not, the due date named in several ways). */
function describeOutcomeReply(name, result, reply, correcting = false) {
	const saved = correcting
		? `Udfaldet for ${name} er rettet: ${label(RESULTS, result)}.`
		: `Opkaldet til ${name} er gemt: ${label(RESULTS, result)}.`;
	if (!reply || typeof reply !== 'object') {
		return { saved, next: '' };
	}
	const course = reply.course && typeof reply.course === 'object' ? reply.course : reply;
	const nextCall = course.next_call || reply.next_call;
	const due = (nextCall && (nextCall.due_date || nextCall.due)) ||
		course.next_call_due || course.next_due || null;
	if (course.state && course.state !== 'active') {
		return { saved, next: `Forløbet er nu: ${label(COURSE_STATES, course.state).toLowerCase()}.` };
	}
	if (isIsoDate(due)) {
		return { saved, next: `Næste opkald: ${formatDay(due, true)}.` };
	}
	if ('next_call' in course || 'next_call_due' in course) {
		return { saved, next: 'Der er ikke planlagt flere opkald. Borgeren kan selv ringe.' };
	}
	return { saved, next: '' };
}
