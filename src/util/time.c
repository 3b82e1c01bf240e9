/* FILETIME <-> ISO 8601 UTC. Everything is UTC; local time only where an
 * output adds it beside UTC (--tz). */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "remtrail/util.h"

#define TICKS_PER_SEC 10000000ULL
#define SECS_PER_DAY 86400ULL

/* Days since 1970-01-01 to civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	*y = yoe + era * 400;
	doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	if (*m <= 2)
		(*y)++;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* `n` digits of v, zero-padded, at d; returns past them. */
static char *put_digits(char *d, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		d[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return d + n;
}

/*
 * Written digit by digit: this runs for every time value of every record
 * (snprintf was 7% of a bulk export). The year of a FILETIME is below
 * 60100 (2^64 ticks): five digits from 10000, else four.
 */
void rt_time_format(uint64_t ft, char out[RT_TIME_MAX])
{
	uint64_t secs = ft / TICKS_PER_SEC, frac = ft % TICKS_PER_SEC;
	/* seconds since 1601-01-01; 1601 is day -134774 relative to 1970 */
	int64_t days = (int64_t)(secs / SECS_PER_DAY) - 134774;
	uint64_t rem = secs % SECS_PER_DAY;
	int64_t y;
	unsigned m, d;
	char *p = out;

	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, (uint64_t)y, y >= 10000 ? 5 : 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, rem / 3600, 2);
	*p++ = ':';
	p = put_digits(p, rem / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, rem % 60, 2);
	*p++ = '.';
	p = put_digits(p, frac, 7);
	*p++ = 'Z';
	*p = '\0';
}

uint64_t rt_time_from_unix(int64_t seconds)
{
	if (seconds < -11644473600LL)
		return 0;
	return (uint64_t)(seconds + 11644473600LL) * TICKS_PER_SEC;
}

static int digits(const char **s, int n, unsigned *v)
{
	*v = 0;
	while (n--) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (unsigned)(**s - '0');
		(*s)++;
	}
	return 0;
}

int rt_time_parse(const char *s, uint64_t *ft)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	uint64_t frac = 0, scale = TICKS_PER_SEC / 10;
	int64_t days;

	if (!s || digits(&s, 4, &y))
		return -1;
	/* years past 9999, as rt_time_format writes FILETIMEs up to 30828 */
	if (*s >= '0' && *s <= '9')
		y = y * 10 + (unsigned)(*s++ - '0');
	if (*s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' || digits(&s, 2, &d))
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &se))
				return -1;
			if (*s == '.') {
				s++;
				if (*s < '0' || *s > '9')
					return -1;
				while (*s >= '0' && *s <= '9') {
					frac += (uint64_t)(*s - '0') * scale;
					scale /= 10;
					s++;
				}
			}
		}
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	if (*s)
		return -1;
	if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	days = days_from_civil(y, mo, d) + 134774;
	*ft = ((uint64_t)days * SECS_PER_DAY + h * 3600ULL + mi * 60ULL + se) * TICKS_PER_SEC + frac;
	return 0;
}

void rt_time_format_offset(uint64_t ft, int minutes_east, char out[RT_TIME_LOCAL_MAX])
{
	int64_t shift = (int64_t)minutes_east * 60 * (int64_t)TICKS_PER_SEC;
	char t[RT_TIME_MAX];
	int m = minutes_east < 0 ? -minutes_east : minutes_east;

	if (shift < 0 && (uint64_t)-shift > ft)
		shift = -(int64_t)ft;
	rt_time_format((uint64_t)((int64_t)ft + shift), t);
	t[strlen(t) - 1] = '\0'; /* the Z */
	snprintf(out, RT_TIME_LOCAL_MAX, "%s%c%02d:%02d", t, minutes_east < 0 ? '-' : '+', m / 60,
		 m % 60);
}

int rt_time_local_offset(uint64_t ft)
{
	time_t t;
	struct tm tm;

	if (ft < RT_FILETIME_UNIX_EPOCH)
		t = -(time_t)((RT_FILETIME_UNIX_EPOCH - ft) / TICKS_PER_SEC);
	else
		t = (time_t)((ft - RT_FILETIME_UNIX_EPOCH) / TICKS_PER_SEC);
	if (!localtime_r(&t, &tm))
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

int64_t rt_time_unix_us(uint64_t ft)
{
	if (ft >= RT_FILETIME_UNIX_EPOCH)
		return (int64_t)((ft - RT_FILETIME_UNIX_EPOCH) / 10);
	return -(int64_t)((RT_FILETIME_UNIX_EPOCH - ft + 9) / 10);
}
