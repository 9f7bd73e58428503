/*
 * phone.c - phone number normalisation (phone.h).
 */
#include "phone.h"

#include <ctype.h>
#include <string.h>

int phone_normalise(const char *text, char out[PHONE_LEN])
{
	char digits[32];
	size_t n = 0;
	int plus = 0;
	const char *p = text;

	while (*p == ' ')
		p++;
	if (*p == '+') {
		plus = 1;
		p++;
	}
	/* People write numbers in groups: "20 30 40 50", "+45 2030 4050". */
	for (; *p != '\0'; p++) {
		if (*p == ' ')
			continue;
		if (!isdigit((unsigned char)*p) || n + 1 >= sizeof digits)
			return -1;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	const char *national = NULL;
	if (!plus && n == 8)
		national = digits;
	else if (!plus && n == 12 && strncmp(digits, "0045", 4) == 0)
		national = digits + 4;
	else if (plus && n == 10 && strncmp(digits, "45", 2) == 0)
		national = digits + 2;
	if (national != NULL) {
		if (national[0] < '2' || national[0] > '9')
			return -1;
		memcpy(out, "+45", 3);
		memcpy(out + 3, national, 9);
		return 0;
	}
	if (!plus || n < 8 || n > 15 || digits[0] == '0' || strncmp(digits, "45", 2) == 0)
		return -1;
	out[0] = '+';
	memcpy(out + 1, digits, n + 1);
	return 0;
}
