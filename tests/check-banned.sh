#!/bin/sh
# Fails when a source file uses a function that is easy to misuse with
# hostile input. Use rt_buf / snprintf / rt_parse_u64 instead.
top=${RT_TESTDATA%/testdata}
[ -d "$top/src" ] || top=$(dirname "$0")/..
hits=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)[[:space:]]*\(' \
	"$top/src" "$top/include" 2>/dev/null | grep -v 'snprintf\|vsnprintf')
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	exit 1
fi
exit 0
