/*
 * intake.c - discharge notification validation (intake.h).
 */
#include "intake.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "sql.h"
#include "sha256.h"

int intake_parse_hhmm(const char *text)
{
	if (strlen(text) != 5 || !isdigit((unsigned char)text[0]) ||
	    !isdigit((unsigned char)text[1]) || text[2] != ':' ||
	    !isdigit((unsigned char)text[3]) || !isdigit((unsigned char)text[4]))
		return -1;
	int h = (text[0] - '0') * 10 + (text[1] - '0');
	int m = (text[3] - '0') * 10 + (text[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

static void parse_call_time(json_t *citizen, struct intake *out, struct field_errors *errors)
{
	json_t *window = field_get_object(citizen, "preferred_call_time",
					"citizen.preferred_call_time", false, errors);
	const char *from, *to;

	out->call_from_minute = out->call_to_minute = -1;
	if (window == NULL)
		return;
	from = field_get_string(window, "from", "citizen.preferred_call_time.from", true, 5, errors);
	to = field_get_string(window, "to", "citizen.preferred_call_time.to", true, 5, errors);
	if (from != NULL && (out->call_from_minute = intake_parse_hhmm(from)) < 0)
		field_error_add(errors, "citizen.preferred_call_time.from", "must be a time \"HH:MM\"");
	if (to != NULL && (out->call_to_minute = intake_parse_hhmm(to)) < 0)
		field_error_add(errors, "citizen.preferred_call_time.to", "must be a time \"HH:MM\"");
	if (out->call_from_minute >= 0 && out->call_to_minute >= 0 &&
	    out->call_from_minute >= out->call_to_minute)
		field_error_add(errors, "citizen.preferred_call_time.to", "must be after \"from\"");
}

static void parse_citizen(json_t *body, cal_day today, struct intake *out,
			  struct field_errors *errors)
{
	json_t *citizen = field_get_object(body, "citizen", "citizen", true, errors);
	const char *cpr, *phone;
	cal_day birth;

	out->cpr[0] = '\0';
	if (citizen == NULL)
		return;
	out->name = field_get_string(citizen, "name", "citizen.name", true, INTAKE_NAME_MAX, errors);
	cpr = field_get_string(citizen, "cpr", "citizen.cpr", false, 16, errors);
	if (cpr != NULL) {
		enum cpr_result r = cpr_parse(cpr, today, out->cpr, &birth);
		if (r != CPR_OK) {
			out->cpr[0] = '\0';
			field_error_add(errors, "citizen.cpr", "%s", cpr_result_message(r));
		}
	}
	phone = field_get_string(citizen, "phone", "citizen.phone", true, 32, errors);
	if (phone != NULL && phone_normalise(phone, out->phone) != 0)
		field_error_add(errors, "citizen.phone",
			      "must be a Danish 8-digit number or an E.164 number (+CC...)");
	parse_call_time(citizen, out, errors);
}

static void parse_consent(json_t *body, cal_day today, struct intake *out,
			  struct field_errors *errors)
{
	json_t *consent = field_get_object(body, "consent", "consent", true, errors);
	const char *given;

	out->consent_given = CAL_NO_DAY;
	if (consent == NULL)
		return;
	if (!json_is_true(json_object_get(consent, "contact")))
		field_error_add(errors, "consent.contact",
			      "must be true: without consent to contact nothing is stored");
	if (!json_is_true(json_object_get(consent, "share_information")))
		field_error_add(errors, "consent.share_information",
			      "must be true: without consent to share nothing is stored");
	given = field_get_string(consent, "given_at", "consent.given_at", false, 10, errors);
	if (given == NULL)
		return;
	if (cal_day_parse(given, &out->consent_given) != 0)
		field_error_add(errors, "consent.given_at", "must be a date \"YYYY-MM-DD\"");
	else if (out->consent_given > today)
		field_error_add(errors, "consent.given_at", "must not be in the future");
}

/* The format only: whether the discharge is timely depends on today, and a
 * notification accepted before is replayed whatever today is, so that is
 * judged by course_create after its idempotency lookup. */
static void parse_discharge_time(json_t *body, struct intake *out, struct field_errors *errors)
{
	const char *text = field_get_string(body, "discharged_at", "discharged_at", true, 40, errors);

	if (text == NULL)
		return;
	if (clock_parse_rfc3339(text, &out->discharged_at) != 0) {
		field_error_add(errors, "discharged_at",
			      "must be an RFC 3339 date-time with an offset");
		return;
	}
	out->discharge_day = cal_day_of_instant(out->discharged_at);
}

int intake_parse(json_t *body, time_t now, struct intake *out, struct field_errors *errors)
{
	cal_day today = cal_day_of_instant(now);

	memset(out, 0, sizeof *out);
	out->notification_id = field_get_string(body, "notification_id", "notification_id", true,
					       INTAKE_ID_MAX, errors);
	parse_citizen(body, today, out, errors);
	parse_discharge_time(body, out, errors);
	out->unit = field_get_string(body, "unit", "unit", false, INTAKE_UNIT_MAX, errors);
	parse_consent(body, today, out, errors);
	return field_errors_any(errors) ? -1 : 0;
}

/* One field into the fingerprint: its length first (all ones for an absent
 * field), so no two different notifications can run together alike. */
static void fingerprint_bytes(EVP_MD_CTX *ctx, const void *data, size_t len)
{
	unsigned char prefix[4];
	uint32_t n = data == NULL ? UINT32_MAX : (uint32_t)len;

	for (int i = 0; i < 4; i++)
		prefix[i] = (unsigned char)(n >> (24 - 8 * i));
	EVP_DigestUpdate(ctx, prefix, sizeof prefix);
	if (data != NULL)
		EVP_DigestUpdate(ctx, data, len);
}

static void fingerprint_text(EVP_MD_CTX *ctx, const char *text)
{
	fingerprint_bytes(ctx, text, text != NULL ? strlen(text) : 0);
}

/* Big-endian, so the fingerprint is the same on every machine. */
static void fingerprint_number(EVP_MD_CTX *ctx, int64_t value)
{
	unsigned char bytes[8];

	for (int i = 0; i < 8; i++)
		bytes[i] = (unsigned char)((uint64_t)value >> (56 - 8 * i));
	fingerprint_bytes(ctx, bytes, sizeof bytes);
}

void intake_fingerprint(const struct intake *in, char hex[INTAKE_FINGERPRINT_LEN])
{
	static const char digits[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char hash[SHA256_LEN];

	if (ctx == NULL || EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1)
		abort(); /* out of memory: as xmalloc does */
	fingerprint_text(ctx, in->notification_id);
	fingerprint_text(ctx, in->name);
	fingerprint_text(ctx, in->cpr);
	fingerprint_text(ctx, in->phone);
	fingerprint_number(ctx, in->call_from_minute);
	fingerprint_number(ctx, in->call_to_minute);
	fingerprint_number(ctx, (int64_t)in->discharged_at);
	fingerprint_text(ctx, in->unit);
	fingerprint_number(ctx, in->consent_given);
	EVP_DigestFinal_ex(ctx, hash, NULL);
	EVP_MD_CTX_free(ctx);
	for (size_t i = 0; i < sizeof hash; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 0xf];
	}
	hex[2 * sizeof hash] = '\0';
}
