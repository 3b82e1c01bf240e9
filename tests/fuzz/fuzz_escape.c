/* libFuzzer target: what the text writers do to evidence. Whatever the
 * bytes, rt_text_escape and rt_csv_cell give no control character, DEL,
 * C1 control or bidirectional override, and rt_path_unescape gives back
 * exactly what rt_path_escape was given. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean(const rt_buf *b)
{
	const unsigned char *u = (const unsigned char *)b->buf;
	size_t i, k;

	for (i = 0; i < b->len; i += k) {
		if (!(k = rt_utf8_seq_len(u + i, b->len - i)))
			abort(); /* not UTF-8 */
		if (u[i] < 0x20 || u[i] == 0x7f)
			abort();
		if (u[i] == 0xc2 && i + 1 < b->len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			abort();
		if (u[i] == 0xe2 && i + 2 < b->len &&
		    ((u[i + 1] == 0x80 && ((u[i + 2] >= 0xa8 && u[i + 2] <= 0xae) || u[i + 2] == 0x8e ||
					   u[i + 2] == 0x8f)) ||
		     (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			abort();
		if (u[i] == 0xd8 && i + 1 < b->len && u[i + 1] == 0x9c)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_buf t = RT_BUF_INIT, p = RT_BUF_INIT, back = RT_BUF_INIT, c = RT_BUF_INIT;
	char *z = malloc(size + 1);

	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	if (!rt_text_escape(&t, (const char *)data, size))
		clean(&t);
	if (!rt_path_escape(&p, (const char *)data, size)) {
		clean(&p);
		if (rt_path_unescape(&back, p.buf, p.len) || back.len != size ||
		    (size && memcmp(back.buf, data, size)))
			abort();
	}
	if (!rt_csv_cell(&c, z, 0)) {
		clean(&c);
		if (c.len && strchr("=+-@", c.buf[0]))
			abort();
	}
	free(z);
	rt_buf_release(&t);
	rt_buf_release(&p);
	rt_buf_release(&back);
	rt_buf_release(&c);
	return 0;
}
