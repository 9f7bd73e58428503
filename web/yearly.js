/*
 * yearly.js - the yearly report (#/aarsrapport, coordinator): per year
 * and programme, courses and cost by internal and external mentor, from
 * GET /v1/reports/yearly, as bar charts and a table with the same
 * figures. The charts are SVG drawn here, element by element: no chart
 * library, nothing parsed as markup. Each bar carries its figure
 * (data-year, data-kind, data-value), so a test can read what it shows.
 */

import { endpoints, session } from './api.js';
import { h, replaceChildren } from './dom.js';
import { today } from './format.js';
import { go, loading, route, showLoadFailure, showView, viewHeading, viewSeq } from './shell.js';

const SVG = 'http://www.w3.org/2000/svg';
const KINDS = [['internal', 'Interne mentorer'], ['external', 'Eksterne mentorer']];
const CHART = { width: 560, height: 220, left: 64, bottom: 28, top: 12 };

function s(tag, attrs, ...children) {
	const el = document.createElementNS(SVG, tag);
	for (const [key, value] of Object.entries(attrs || {})) {
		el.setAttribute(key, String(value));
	}
	for (const child of children) {
		el.append(child instanceof Node ? child : String(child));
	}
	return el;
}

const kr = (value) => Number(value).toLocaleString('da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = (value) => Number(value).toLocaleString('da-DK');

/* Grouped bars: per year one bar per kind, heights on a common scale. */
function chart(label, years, figure, format) {
	const values = years.flatMap((y) => KINDS.map(([kind]) => Number(figure(y[kind]))));
	const max = Math.max(1, ...values);
	const plotH = CHART.height - CHART.bottom - CHART.top;
	const groupW = (CHART.width - CHART.left) / Math.max(1, years.length);
	const barW = Math.min(48, (groupW - 16) / KINDS.length);
	const svg = s('svg', {
		class: 'chart', viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', 'aria-label': label,
	});
	svg.append(s('line', { class: 'axis', x1: CHART.left, y1: CHART.top + plotH, x2: CHART.width, y2: CHART.top + plotH }));
	svg.append(s('text', { class: 'tick', x: CHART.left - 6, y: CHART.top + 10, 'text-anchor': 'end' }, format(max)));
	svg.append(s('text', { class: 'tick', x: CHART.left - 6, y: CHART.top + plotH, 'text-anchor': 'end' }, '0'));
	years.forEach((y, i) => {
		const x0 = CHART.left + i * groupW + (groupW - barW * KINDS.length) / 2;
		KINDS.forEach(([kind, name], k) => {
			const value = Number(figure(y[kind]));
			const height = (value / max) * plotH;
			svg.append(s('rect', {
				class: `bar bar-${kind}`, x: x0 + k * barW, y: CHART.top + plotH - height,
				width: barW - 2, height, 'data-year': y.year, 'data-kind': kind, 'data-value': value,
			}, s('title', null, `${y.year}, ${name.toLowerCase()}: ${format(value)}`)));
		});
		svg.append(s('text', { class: 'tick', x: x0 + (barW * KINDS.length) / 2, y: CHART.height - 8, 'text-anchor': 'middle' },
			String(y.year)));
	});
	return h('figure', { class: 'yearly-chart' },
		h('figcaption', null, label), svg,
		h('ul', { class: 'legend' }, KINDS.map(([kind, name]) => h('li', { class: `legend-${kind}` }, name))));
}

function table(years) {
	const row = (y, kind, name) => h('tr', null,
		h('th', { scope: 'row' }, `${y.year} ${name}`),
		h('td', null, whole(y[kind].started)), h('td', null, whole(y[kind].active)),
		h('td', null, whole(y[kind].ended)), h('td', null, kr(y[kind].hours)),
		h('td', null, kr(y[kind].cost)), h('td', null, kr(y[kind].unpriced_hours)));
	return h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Tallene', tabindex: '0' },
		h('table', { class: 'yearly-table' },
			h('caption', null, 'Tallene bag graferne'),
			h('thead', null, h('tr', null,
				h('th', { scope: 'col' }, 'År'), h('th', { scope: 'col' }, 'Startet'),
				h('th', { scope: 'col' }, 'Aktive'), h('th', { scope: 'col' }, 'Afsluttet'),
				h('th', { scope: 'col' }, 'Timer'), h('th', { scope: 'col' }, 'Udgift (kr.)'),
				h('th', { scope: 'col' }, 'Timer uden timepris'))),
			h('tbody', null, years.flatMap((y) => [
				row(y, 'internal', 'interne'), row(y, 'external', 'eksterne'),
				row(y, 'unassigned', 'uden mentor')]))));
}

function render(body, report, programme) {
	const chosen = programme ? report.programmes.find((p) => p.id === programme) : null;
	const years = chosen ? chosen.years : report.totals;
	replaceChildren(body,
		chart('Aktive forløb pr. år', years, (f) => f.active, whole),
		chart('Udgift pr. år (kr.)', years, (f) => f.cost, kr),
		table(years));
}

export function yearlyView() {
	if (!session.isAdmin()) {
		go('#/kald', true);
		return;
	}
	const thisYear = Number(today().slice(0, 4));
	const from = h('input', { id: 'yearly-from', type: 'number', min: '1900', max: '9999', value: String(thisYear - 2) });
	const to = h('input', { id: 'yearly-to', type: 'number', min: '1900', max: '9999', value: String(thisYear) });
	const programme = h('select', { id: 'yearly-programme' }, h('option', { value: '' }, 'Alle ordninger'));
	const body = h('div', { class: 'yearly-body' }, loading('Henter årsrapporten …'));
	let report = null;
	const load = async () => {
		const seq = viewSeq;
		replaceChildren(body, loading('Henter årsrapporten …'));
		try {
			report = await endpoints.yearly(from.value, to.value);
		} catch (err) {
			if (seq === viewSeq) {
				showLoadFailure(body, err, 'årsrapporten', () => route());
			}
			return;
		}
		if (seq !== viewSeq) {
			return;
		}
		const keep = programme.value;
		replaceChildren(programme, h('option', { value: '' }, 'Alle ordninger'),
			report.programmes.map((p) => h('option', { value: p.id }, p.name)));
		programme.value = report.programmes.some((p) => p.id === keep) ? keep : '';
		render(body, report, programme.value);
	};
	programme.addEventListener('change', () => report && render(body, report, programme.value));
	const view = h('section', { class: 'view yearly-view' },
		viewHeading('Årsrapport'),
		h('p', null, 'Forløb og udgift pr. år, fordelt på interne og eksterne mentorer efter deres ansættelsesvilkår på det tidspunkt. ' +
			'Udgiften er timer gange timeprisen, der gjaldt da.'),
		h('form', {
			class: 'yearly-form no-print',
			on: { submit: (event) => { event.preventDefault(); load(); } },
		},
		h('label', { for: 'yearly-from' }, 'Fra år'), from,
		h('label', { for: 'yearly-to' }, 'Til år'), to,
		h('label', { for: 'yearly-programme' }, 'Ordning'), programme,
		h('button', { type: 'submit', class: 'button primary' }, 'Vis')),
		body);
	showView('Årsrapport', view, true, { wide: true });
	load();
}
