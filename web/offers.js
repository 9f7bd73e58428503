/*
 * offers.js - the offers catalogue (#/tilbud), read-only, searchable by
 * name, category or provider.
 */

import { fact, h, replaceChildren, srOnly } from './dom.js';
import { field } from './forms.js';
import { formatPhone, plural, safeWebUrl, telHref } from './format.js';
import { loading, route, showLoadFailure, showView, viewHeading, viewSeq } from './shell.js';
import { loadOffers, offerMatches } from './state.js';

export function offersView() {
	const seq = viewSeq;
	const search = h('input', { type: 'search', name: 'search', autocomplete: 'off' });
	const count = h('p', { class: 'queue-summary', 'aria-live': 'polite' });
	const list = h('div', { class: 'offer-list' }, loading('Henter tilbud …'));
	const view = h('section', { class: 'view' },
		viewHeading('Tilbud'),
		h('p', { class: 'lead' }, 'Kommunale tilbud og tilbud fra civilsamfundet, som du kan henvise borgere til.'),
		h('form', { class: 'search-form', role: 'search', novalidate: true, on: { submit: (e) => e.preventDefault() } },
			field({ id: 'offers-search', labelText: 'Søg i tilbud (navn eller kategori)', control: search })),
		count,
		list);
	showView('Tilbud', view);

	loadOffers(true).then((offers) => {
		if (seq !== viewSeq) {
			return;
		}
		const render = () => renderOffers(list, count, offers, search.value.trim());
		search.addEventListener('input', render);
		render();
	}).catch((err) => {
		if (seq === viewSeq) {
			showLoadFailure(list, err, 'tilbudskataloget', () => route());
		}
	});
}

function renderOffers(list, count, offers, query) {
	const shown = offers.filter((o) => offerMatches(o, query));
	count.textContent = query
		? `${plural(shown.length, 'tilbud', 'tilbud')} passer på søgningen.`
		: `${plural(shown.length, 'tilbud', 'tilbud')} i kataloget.`;
	if (shown.length === 0) {
		replaceChildren(list, h('p', { class: 'empty' }, 'Ingen tilbud passer på søgningen.'));
		return;
	}
	replaceChildren(list, h('ul', { class: 'offers' }, shown.map(offerCard)));
}

function offerCard(offer) {
	const url = offer.url ? safeWebUrl(offer.url) : null;
	return h('li', { class: 'offer' },
		h('article', null,
			h('h2', null, offer.name || 'Tilbud uden navn'),
			offer.category ? h('p', { class: 'badges' }, h('span', { class: 'badge' }, offer.category)) : null,
			offer.description ? h('p', null, offer.description) : null,
			h('dl', { class: 'facts' },
				offer.provider ? fact('Udbyder', offer.provider) : null,
				offer.phone ? fact('Telefon', h('a', { class: 'nowrap', href: telHref(offer.phone) }, formatPhone(offer.phone))) : null,
				offer.email ? fact('E-mail', h('a', { href: `mailto:${offer.email}` }, offer.email)) : null,
				offer.address ? fact('Adresse', offer.address) : null,
				offer.hours ? fact('Åbningstid', offer.hours) : null,
				offer.url ? fact('Hjemmeside', url
					? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, offer.url, srOnly(' (åbner i et nyt vindue)'))
					: offer.url) : null)));
}
