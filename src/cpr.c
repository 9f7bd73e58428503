/*
 * cpr.c - CPR number validation (cpr.h).
 */
#include "cpr.h"

#include <ctype.h>
#include <string.h>

/* The CPR office's table: the 7th digit and the two-digit year give the
 * century. */
static int cpr_century(int seventh, int yy)
{
	if (seventh <= 3)
		return 1900;
	if (seventh == 4 || seventh == 9)
		return yy <= 36 ? 2000 : 1900;
	return yy <= 57 ? 2000 : 1800; /* 5-8 */
}

enum cpr_result cpr_parse(const char *text, cal_day today, char normal[CPR_LEN], cal_day *birth)
{
	size_t len = strlen(text), n = 0;
	int dd, mm, yy;

	if (len != 10 && !(len == 11 && text[6] == '-'))
		return CPR_BAD_FORMAT;
	for (size_t i = 0; i < len; i++) {
		if (len == 11 && i == 6)
			continue;
		if (!isdigit((unsigned char)text[i]))
			return CPR_BAD_FORMAT;
		normal[n++] = text[i];
	}
	normal[n] = '\0';
	dd = (normal[0] - '0') * 10 + (normal[1] - '0');
	mm = (normal[2] - '0') * 10 + (normal[3] - '0');
	yy = (normal[4] - '0') * 10 + (normal[5] - '0');
	if (cal_day_from_ymd(cpr_century(normal[6] - '0', yy) + yy, mm, dd, birth) != 0)
		return CPR_BAD_DATE;
	if (*birth > today)
		return CPR_FUTURE;
	return CPR_OK;
}

const char *cpr_result_message(enum cpr_result result)
{
	switch (result) {
	case CPR_OK:
		return "valid";
	case CPR_BAD_FORMAT:
		return "must be 10 digits, optionally with a dash after the 6th (DDMMYY-SSSS)";
	case CPR_BAD_DATE:
		return "does not encode a real birth date";
	case CPR_FUTURE:
		return "encodes a birth date in the future";
	}
	return "invalid";
}
