/*
 * state.js - what the page remembers between views, in memory only:
 * nothing of it goes into the URL, the title or storage. And the offers
 * catalogue, fetched once for the outcome form and the timeline.
 */

import { endpoints } from './api.js';
import { today } from './format.js';

export const state = {
	queueDate: null, /* null: today */
	queueMentor: '',
	call: null, /* the queue entry the outcome form is for */
	outcomeForm: null, /* {callId, node}: a draft survives a look at the timeline */
	courseId: null,
	courseReturn: '#/kald',
	offers: null, /* the catalogue, once fetched */
	flash: null, /* a message for the next view */
	signInMessage: null,
	done: [], /* calls registered on this page: {day, mentor, callId, courseId, name, result, next} */
	oldestFirst: false, /* the timeline's order */
};

export function resetState() {
	Object.assign(state, {
		queueDate: null,
		queueMentor: '',
		call: null,
		outcomeForm: null,
		courseId: null,
		courseReturn: '#/kald',
		offers: null,
		flash: null,
		done: [],
		oldestFirst: false,
	});
}

/* Today's registered calls of a queue ('' is the mentor's own), oldest
 * first. Kept in memory: a reload starts the count again. */
export function doneToday(mentor) {
	const day = today();
	return state.done.filter((d) => d.day === day && d.mentor === mentor);
}

export function addDone(entry) {
	state.done = state.done.filter((d) => d.day === today());
	state.done.push({ ...entry, day: today() });
}

export async function loadOffers(force = false) {
	if (state.offers && !force) {
		return state.offers;
	}
	const reply = await endpoints.offers();
	const list = Array.isArray(reply) ? reply : reply && Array.isArray(reply.offers) ? reply.offers : [];
	state.offers = list
		.filter((o) => o && typeof o === 'object')
		.sort((a, b) =>
			String(a.category || '').localeCompare(String(b.category || ''), 'da') ||
			String(a.name || '').localeCompare(String(b.name || ''), 'da'));
	return state.offers;
}

/* An offer whose name, category or provider contains the query. */
export function offerMatches(offer, query) {
	if (!query) {
		return true;
	}
	const q = query.toLocaleLowerCase('da');
	return [offer.name, offer.category, offer.provider]
		.some((v) => typeof v === 'string' && v.toLocaleLowerCase('da').includes(q));
}
