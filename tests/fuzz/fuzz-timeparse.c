/* fuzz-timeparse.c - the time parser: what parses, formatted again,
 * parses to the same millisecond */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "timeparse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256], text[64];
	int64_t ms, again;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (timeparse(s, 1678233600000LL, &ms) == 0 && ms >= 0 &&
	    ms <= 253402300799999LL) {
		timeparse_format(ms, text, sizeof(text));
		PROPERTY(timeparse(text, 0, &again) == 0 && again == ms);
	}
	return 0;
}
