/*
 * dom.js - elements are built, never parsed. Citizen data (names, phones,
 * notes, topics) only ever enters the page as text nodes through h():
 * nothing here or elsewhere assigns HTML.
 */

const PROPERTIES = { for: 'htmlFor', value: 'value', checked: 'checked' };

/*
 * h('p', {class: 'x', on: {click: fn}}, 'text', child, [more]) builds an
 * element. Strings and numbers become text nodes, so untrusted text is
 * never interpreted. Inline handlers and style attributes are refused:
 * the CSP would block them anyway, and a silent block is a bug.
 */
export function h(tag, props, ...children) {
	const el = document.createElement(tag);
	for (const [key, value] of Object.entries(props || {})) {
		setProp(el, key, value);
	}
	append(el, children);
	return el;
}

function setProp(el, key, value) {
	if (value === undefined || value === null || value === false) {
		return;
	}
	if (/^on./i.test(key) || key === 'style') {
		throw new Error(`h(): attribute ${key} is not allowed`);
	}
	if (key === 'class') {
		el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
	} else if (key === 'on') {
		for (const [type, fn] of Object.entries(value)) {
			el.addEventListener(type, fn);
		}
	} else if (key === 'dataset') {
		Object.assign(el.dataset, value);
	} else if (key in PROPERTIES) {
		el[PROPERTIES[key]] = value;
	} else {
		el.setAttribute(key, value === true ? '' : String(value));
	}
}

export function append(el, ...children) {
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false || child === '') {
			continue;
		}
		el.append(child instanceof Node ? child : String(child));
	}
	return el;
}

export function replaceChildren(el, ...children) {
	el.replaceChildren();
	return append(el, children);
}

/* Text only a screen reader hears, e.g. whose call a button is for. */
export function srOnly(text) {
	return h('span', { class: 'vh' }, text);
}

let uniqueCounter = 0;
export function uniqueId(prefix) {
	uniqueCounter += 1;
	return `${prefix}-${uniqueCounter}`;
}

export function setDescribedBy(el, id, present) {
	const ids = new Set((el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
	if (present) {
		ids.add(id);
	} else {
		ids.delete(id);
	}
	if (ids.size > 0) {
		el.setAttribute('aria-describedby', [...ids].join(' '));
	} else {
		el.removeAttribute('aria-describedby');
	}
}

export function fact(term, ...value) {
	return [h('dt', null, term), h('dd', null, value)];
}
