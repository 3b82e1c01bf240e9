/* Transaction log replay; see regf.h. */
#include "config.h"

#include "regf.h"

int regf_replay(uint8_t **image, size_t *size, const regf_log *logs, size_t nlogs,
		rt_buf *used, rt_diag *diag, const char *subject)
{
	(void)image;
	(void)size;
	(void)logs;
	(void)nlogs;
	(void)used;
	rt_diag_error(diag, subject, "transaction log replay not implemented yet");
	return 0;
}
