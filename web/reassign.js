/*
 * reassign.js - a coordinator hands a course to another mentor
 * (PATCH /v1/courses/{id}), picking the mentor by name: on the citizen's
 * timeline, and on the desk for a mentor who is away.
 */

import { ApiError, endpoints } from './api.js';
import { h, replaceChildren, srOnly, uniqueId } from './dom.js';
import { createErrors, errorSummary, field, serverErrors, setSubmitting } from './forms.js';
import { failureMessage } from './i18n.js';
import { handleUnauthorised, route } from './shell.js';
import { isReferralProgramme, loadMentors, mentorName, state } from './state.js';

/* A <select> of the active mentors by name, without `except`; the first
 * option asks for a choice. Filled when the list arrives, with `selected`
 * chosen. */
export function mentorSelect({ except, selected, name = 'mentor', prompt = 'Vælg en mentor' } = {}) {
	const select = h('select', { name }, h('option', { value: '' }, prompt));
	loadMentors().then((mentors) => {
		const options = mentors
			.filter((m) => m.active !== false && String(m.id) !== String(except))
			.sort((a, b) => String(a.name).localeCompare(String(b.name), 'da'))
			.map((m) => h('option', { value: String(m.id) }, m.name));
		replaceChildren(select, h('option', { value: '' }, prompt), options);
		if (selected) {
			select.value = String(selected);
		}
	}).catch((err) => {
		handleUnauthorised(err);
	});
	return select;
}

/*
 * The controls to hand one course to another mentor. done(name) runs
 * after the change is stored, with the new mentor's name. withReason
 * adds the reason a re-match is logged with (doc/programmes.md); the
 * server requires it for a referral programme's course that has a mentor.
 */
export function reassignControls(course, { label = 'Giv forløbet til', citizen, done, withReason = false }) {
	const errors = createErrors(errorSummary());
	const id = uniqueId('reassign');
	const select = mentorSelect({ except: course.mentor_id, name: 'mentor_id' });
	const reason = withReason || isReferralProgramme(course.programme) ? h('input', { type: 'text', name: 'reason', maxlength: '500', autocomplete: 'off' }) : null;
	const button = h('button', { type: 'submit', class: 'button secondary' }, 'Skift mentor',
		citizen ? srOnly(` for ${citizen}`) : null);
	const form = h('form', { class: 'reassign', novalidate: true },
		errors.summary,
		h('div', { class: 'filter-row' },
			field({ id, labelText: label, control: select, errors, path: 'mentor_id', extraClass: 'inline' }),
			reason ? field({ id: `${id}-reason`, labelText: 'Begrundelse', control: reason, errors, path: 'reason', extraClass: 'inline' }) : null,
			h('div', { class: 'actions' }, button)));
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		if (button.disabled) {
			return;
		}
		if (!select.value) {
			errors.show([{ field: 'mentor_id', message: 'Vælg en mentor.' }]);
			return;
		}
		errors.clear();
		setSubmitting(button, true, 'Gemmer …');
		try {
			await endpoints.assignMentor(course.id, select.value, reason ? reason.value.trim() : null);
		} catch (err) {
			setSubmitting(button, false);
			if (handleUnauthorised(err)) {
				return;
			}
			if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
				errors.show(serverErrors(err.fieldErrors), [failureMessage(err, 'forløbet')]);
			} else {
				errors.show([], [failureMessage(err, 'forløbet')]);
			}
			return;
		}
		setSubmitting(button, false);
		done(mentorName(select.value) || select.options[select.selectedIndex].textContent);
	});
	return form;
}

/* The timeline's section: who the mentor is, and the change. */
export function mentorSection(course) {
	if (course.state !== 'active' && course.state !== 'ended') {
		return null;
	}
	return h('section', { class: 'course-actions', 'aria-labelledby': 'mentor-heading' },
		h('h2', { id: 'mentor-heading' }, 'Mentor'),
		h('p', null, course.mentor_name
			? `Forløbet har ${course.mentor_name} som mentor.`
			: 'Forløbet har ingen mentor.'),
		reassignControls(course, {
			withReason: true,
			done: (name) => {
				state.flash = `Forløbet er givet til ${name}.`;
				route();
			},
		}));
}
